using System.Collections.Immutable;
using LanguageExt;

namespace FunctionalNets.Text;

/// <summary>
/// The tokenizers by name: <see cref="Create"/> builds one for a training text, <see cref="Restore"/> rebuilds
/// one from the name and <see cref="ITextTokenizer.State"/> a checkpoint saved.
/// </summary>
public static class TextTokenizers
{
    /// <summary>The valid names: <c>char</c> (<see cref="CharTokenizer"/>) and <c>gpt2</c> (<see cref="Gpt2Tokenizer"/>).</summary>
    public static ImmutableArray<string> Names { get; } = [CharTokenizer.TokenizerName, Gpt2Tokenizer.TokenizerName];

    /// <summary>The tokenizer <paramref name="name"/> for <paramref name="trainingText"/> (<c>char</c> takes its vocabulary from it; <c>gpt2</c> ignores it).</summary>
    /// <remarks>Fails with a <see cref="TextDataException"/> on an unknown name (listing the valid ones) or empty training text for <c>char</c>.</remarks>
    public static Fin<ITextTokenizer> Create(string name, string trainingText) =>
        TextFin.Catch<ITextTokenizer>(() => name switch
        {
            CharTokenizer.TokenizerName => CharTokenizer.FromText(trainingText),
            Gpt2Tokenizer.TokenizerName => Gpt2Tokenizer.Instance,
            _ => throw Unknown(name),
        });

    /// <summary>The tokenizer <paramref name="name"/> rebuilt from its saved <paramref name="state"/>.</summary>
    /// <remarks>Fails with a <see cref="TextDataException"/> on an unknown name or a state the tokenizer cannot have written.</remarks>
    public static Fin<ITextTokenizer> Restore(string name, string state) =>
        TextFin.Catch<ITextTokenizer>(() => name switch
        {
            CharTokenizer.TokenizerName => CharTokenizer.FromState(state),
            Gpt2Tokenizer.TokenizerName when state.Length == 0 => Gpt2Tokenizer.Instance,
            Gpt2Tokenizer.TokenizerName => throw new TextDataException(
                $"gpt2 tokenizer state must be empty (its vocabulary ships with the package), got {state.Length} characters"),
            _ => throw Unknown(name),
        });

    private static TextDataException Unknown(string name) =>
        new($"unknown tokenizer '{name}'; valid names: {string.Join(", ", Names)}");
}
