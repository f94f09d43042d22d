using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace FunctionalNets.Text;

/// <summary>
/// One token per Unicode scalar value (<see cref="Rune"/>): the vocabulary is the distinct scalars of the training
/// text in code point order, and a character's id is its rank in that order.
/// </summary>
/// <remarks>
/// Scalars, not UTF-16 code units, so an emoji outside the Basic Multilingual Plane is one token, never two
/// surrogate halves. Ordinal order makes the ids a function of the set of characters alone: tiny-shakespeare's
/// 65 characters get ids 0…64 in sorted order. The <see cref="State"/> is the vocabulary itself, its characters
/// concatenated in id order.
/// </remarks>
public sealed class CharTokenizer : ITextTokenizer
{
    /// <summary>The name <see cref="TextTokenizers"/> knows it by: <c>char</c>.</summary>
    public const string TokenizerName = "char";

    // How many missing characters an error lists before it only counts the rest.
    private const int ListedMissing = 20;

    private readonly int[] scalars; // ascending code points; id = index

    private CharTokenizer(int[] scalars)
    {
        this.scalars = scalars;
        Tokens = [.. scalars.Select(s => new Rune(s).ToString())];
    }

    /// <summary>The tokenizer whose vocabulary is the distinct scalars of <paramref name="text"/>, sorted by code point.</summary>
    /// <remarks>Empty text, or text with a lone UTF-16 surrogate, is a <see cref="TextDataException"/>.</remarks>
    public static CharTokenizer FromText(string text)
    {
        var codePoints = CodePoints(text, "char tokenizer");
        if (codePoints.Length == 0) throw new TextDataException("char tokenizer: the training text is empty");
        return new CharTokenizer([.. codePoints.Distinct().Order()]);
    }

    /// <summary>The tokenizer whose vocabulary is the characters of <paramref name="state"/> (a saved <see cref="State"/>), in order.</summary>
    /// <remarks>The characters must be distinct and in ascending code point order, as <see cref="State"/> writes them; anything else is a <see cref="TextDataException"/>.</remarks>
    public static CharTokenizer FromState(string state)
    {
        var codePoints = CodePoints(state, "char tokenizer state");
        if (codePoints.Length == 0) throw new TextDataException("char tokenizer state is empty: it must list the vocabulary's characters");
        for (var i = 1; i < codePoints.Length; i++)
            if (codePoints[i] <= codePoints[i - 1])
                throw new TextDataException($"char tokenizer state: {Describe(codePoints[i])} follows {Describe(codePoints[i - 1])}; " +
                                            "the characters must be distinct and in code point order");
        return new CharTokenizer(codePoints);
    }

    /// <inheritdoc/>
    public string Name => TokenizerName;

    /// <inheritdoc/>
    public int VocabSize => scalars.Length;

    /// <summary>The vocabulary: each character as a string (one or two UTF-16 units), in id order.</summary>
    public ImmutableArray<string> Tokens { get; }

    /// <summary>The vocabulary's characters concatenated in id order.</summary>
    public string State => string.Concat(Tokens);

    /// <summary>The id of each scalar of <paramref name="text"/>.</summary>
    /// <remarks>Characters missing from the vocabulary are one <see cref="TextDataException"/> listing them (glyph and code point, e.g. <c>'€' U+20AC</c>).</remarks>
    public int[] Encode(string text)
    {
        var ids = CodePoints(text, "char tokenizer");
        SortedSet<int>? missing = null;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = Array.BinarySearch(scalars, ids[i]);
            if (id >= 0) ids[i] = id;
            else (missing ??= []).Add(ids[i]);
        }
        if (missing is not null)
        {
            var listed = string.Join(", ", missing.Take(ListedMissing).Select(Describe));
            var more = missing.Count > ListedMissing ? $", and {missing.Count - ListedMissing} more" : "";
            throw new TextDataException($"char tokenizer: {missing.Count} character(s) of the text are not in its vocabulary of {VocabSize}: {listed}{more}");
        }
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder(ids.Length);
        foreach (var id in ids)
            text.Append((uint)id < (uint)scalars.Length
                ? Tokens[id]
                : throw new ArgumentOutOfRangeException(nameof(ids), $"char tokenizer: id {id} is outside [0, {VocabSize})"));
        return text.ToString();
    }

    /// <summary>A code point as people can read it in a message: <c>'€' U+20AC</c>, or only <c>U+000A</c> for an invisible one.</summary>
    internal static string Describe(int codePoint)
    {
        var rune = new Rune(codePoint);
        var invisible = Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned;
        return invisible ? $"U+{codePoint:X4}" : $"'{rune}' U+{codePoint:X4}";
    }

    // The scalar values of text, in order; a lone surrogate (text that is not Unicode) is an error naming its index.
    private static int[] CodePoints(string text, string what)
    {
        var codePoints = new int[text.Length]; // at most one scalar per UTF-16 unit
        var count = 0;
        for (var i = 0; i < text.Length; count++)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != OperationStatus.Done)
                throw new TextDataException($"{what}: lone UTF-16 surrogate U+{(int)text[i]:X4} at index {i}; the text is not valid Unicode");
            codePoints[count] = rune.Value;
            i += used;
        }
        Array.Resize(ref codePoints, count);
        return codePoints;
    }
}
