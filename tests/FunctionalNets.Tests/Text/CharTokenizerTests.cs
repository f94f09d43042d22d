using CsCheck;
using FunctionalNets.Testing;
using FunctionalNets.Text;

namespace FunctionalNets.Tests.Text;

public class CharTokenizerTests
{
    // Code points from every region a scalar can live in: ASCII, the rest of the BMP (either side of the
    // surrogates) and the astral planes (emoji and beyond), so surrogate pairs turn up often.
    private static readonly Gen<int[]> Scalars =
        Gen.OneOf(Gen.Int[0x20, 0x7E], Gen.Int[0, 0xD7FF], Gen.Int[0xE000, 0xFFFF], Gen.Int[0x10000, 0x10FFFF]).Array[1, 40];

    private static string Text(int[] scalars) => string.Concat(scalars.Select(char.ConvertFromUtf32));

    [Fact]
    public void Round_trip_gives_back_any_text_of_valid_scalars_one_id_per_scalar() =>
        Scalars.Sample(scalars =>
        {
            var text = Text(scalars);
            var tokenizer = CharTokenizer.FromText(text);
            var ids = tokenizer.Encode(text);
            return ids.Length == scalars.Length && ids.All(id => id >= 0 && id < tokenizer.VocabSize) && tokenizer.Decode(ids) == text;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Vocabulary_is_the_distinct_scalars_in_code_point_order() =>
        Scalars.Sample(scalars =>
        {
            var expected = scalars.Distinct().Order().Select(char.ConvertFromUtf32);
            return CharTokenizer.FromText(Text(scalars)).Tokens.SequenceEqual(expected);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Restoring_the_state_gives_the_same_ids() =>
        Scalars.Sample(scalars =>
        {
            var text = Text(scalars);
            var tokenizer = CharTokenizer.FromText(text);
            return CharTokenizer.FromState(tokenizer.State).Encode(text).SequenceEqual(tokenizer.Encode(text));
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Emoji_is_one_token_and_sorts_by_code_point_not_utf16_unit()
    {
        // U+FF01 is one UTF-16 unit above the surrogates; 😀 (U+1F600) is a pair starting 0xD83D. UTF-16 ordinal
        // order would put the emoji first, code point order puts it last.
        var tokenizer = CharTokenizer.FromText("😀！a😀");
        Assert.Equal(["a", "！", "😀"], tokenizer.Tokens.AsEnumerable());
        Assert.Equal([2, 1, 0, 2], tokenizer.Encode("😀！a😀"));
        Assert.Equal(3, tokenizer.VocabSize);
        Assert.Equal("a！😀", tokenizer.State);
    }

    [Fact]
    public void Missing_characters_are_listed_in_one_error()
    {
        var tokenizer = CharTokenizer.FromText("abc");
        var message = Assert.Throws<TextDataException>(() => tokenizer.Encode("ab€c😀€\u0007")).Message;
        Assert.Contains("3 character(s)", message);
        Assert.Contains("'€' U+20AC", message);
        Assert.Contains("'😀' U+1F600", message);
        Assert.Contains("U+0007", message);
        Assert.Contains("vocabulary of 3", message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Invalid_text_state_and_ids_are_errors()
    {
        Assert.Contains("empty", Assert.Throws<TextDataException>(() => CharTokenizer.FromText("")).Message);
        Assert.Contains("index 1", Assert.Throws<TextDataException>(() => CharTokenizer.FromText("a\uD800b")).Message);
        Assert.Contains("'a' U+0061 follows 'b' U+0062", Assert.Throws<TextDataException>(() => CharTokenizer.FromState("ba")).Message);
        Assert.Contains("distinct", Assert.Throws<TextDataException>(() => CharTokenizer.FromState("aa")).Message);
        Assert.Contains("id 3", Assert.Throws<ArgumentOutOfRangeException>(() => CharTokenizer.FromText("abc").Decode([0, 3])).Message);
    }
}
