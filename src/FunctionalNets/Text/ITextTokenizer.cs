namespace FunctionalNets.Text;

/// <summary>
/// A tokenizer as a language model uses it: text → ids in <c>[0, VocabSize)</c> and back, with a name and a
/// string state from which <see cref="TextTokenizers.Restore"/> rebuilds it.
/// </summary>
/// <remarks>
/// A checkpoint stores <see cref="Name"/> and <see cref="State"/> as strings in its metadata, so a model reloads
/// with exactly the ids it was trained on.
/// </remarks>
public interface ITextTokenizer
{
    /// <summary>The registered name (<c>char</c>, <c>gpt2</c>): what <see cref="TextTokenizers"/> takes.</summary>
    string Name { get; }

    /// <summary>How many ids there are (the model's V); every id is in <c>[0, VocabSize)</c>.</summary>
    int VocabSize { get; }

    /// <summary>The state <see cref="TextTokenizers.Restore"/> needs to rebuild this tokenizer (for <c>char</c>, its vocabulary).</summary>
    string State { get; }

    /// <summary>The ids of <paramref name="text"/>; text the tokenizer cannot represent is a <see cref="TextDataException"/>.</summary>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>; an id outside <c>[0, VocabSize)</c> is an <see cref="ArgumentOutOfRangeException"/>.</summary>
    string Decode(ReadOnlySpan<int> ids);
}
