using FunctionalNets.Text;

namespace FunctionalNets.Tests.Text;

public class TextTokenizersTests
{
    private static ITextTokenizer Gpt2() => TextTokenizers.Create("gpt2", "").ThrowIfFail();

    [Fact]
    public void Gpt2_encodes_hello_world_to_the_published_ids()
    {
        var gpt2 = Gpt2();
        Assert.Equal([15496, 995], gpt2.Encode("Hello world"));
        Assert.Equal(50257, gpt2.VocabSize);
        Assert.Equal("gpt2", gpt2.Name);
    }

    [Fact]
    public void Gpt2_round_trips_text_with_accents_and_emoji()
    {
        const string text = "Hello world! Héllo, 😀 costs 5 €.\nNew line.";
        var gpt2 = Gpt2();
        Assert.Equal(text, gpt2.Decode(gpt2.Encode(text)));
        Assert.Equal("<|endoftext|>", gpt2.Decode([50256]));
        Assert.Contains("50257", Assert.Throws<ArgumentOutOfRangeException>(() => gpt2.Decode([50257])).Message);
    }

    [Fact]
    public void Char_tokenizer_is_created_from_the_training_text_and_restored_from_its_state()
    {
        var created = TextTokenizers.Create("char", "hello").ThrowIfFail();
        Assert.Equal("char", created.Name);
        Assert.Equal("ehlo", created.State);
        var restored = TextTokenizers.Restore(created.Name, created.State).ThrowIfFail();
        Assert.Equal([1, 0, 2, 2, 3], restored.Encode("hello"));
    }

    [Fact]
    public void Gpt2_restores_from_its_empty_state_only()
    {
        Assert.Equal([15496, 995], TextTokenizers.Restore("gpt2", Gpt2().State).ThrowIfFail().Encode("Hello world"));
        Assert.True(TextTokenizers.Restore("gpt2", "x").IsFail);
    }

    [Fact]
    public void Unknown_name_is_a_one_line_error_listing_the_valid_names()
    {
        foreach (var result in new[] { TextTokenizers.Create("bpe", "text"), TextTokenizers.Restore("Char", "abc") })
        {
            var message = result.Match(_ => "", e => e.Message);
            Assert.Contains("unknown tokenizer", message);
            Assert.Contains("char, gpt2", message);
            Assert.DoesNotContain('\n', message);
        }
        Assert.Throws<TextDataException>(() => TextTokenizers.Create("bpe", "text").ThrowIfFail());
    }

    [Fact]
    public void Bad_char_state_fails_as_a_value() =>
        Assert.Contains("code point order", TextTokenizers.Restore("char", "cba").Match(_ => "", e => e.Message));
}
