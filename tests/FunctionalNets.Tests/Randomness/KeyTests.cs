using CsCheck;
using FunctionalNets.Randomness;

namespace FunctionalNets.Tests.Randomness;

public class KeyTests
{
    private static readonly Key Root = Key.FromSeed(42);

    [Fact]
    public void FromSeed_puts_the_low_word_in_K0_and_the_high_word_in_K1() =>
        Assert.Equal(new Key(2, 1), Key.FromSeed(0x0000_0001_0000_0002UL));

    [Fact]
    public void FoldIn_path_is_deterministic_and_free_of_hidden_state()
    {
        var first = Root.FoldIn("blocks/2/attn/wq");
        _ = Root.FoldIn("blocks/2/attn/wk");
        Assert.Equal(first, Root.FoldIn("blocks/2/attn/wq"));
        Assert.Equal(first, Key.FromSeed(42).FoldIn("blocks/2/attn/wq"));
    }

    [Fact]
    public void FoldIn_gives_distinct_keys_for_paths_that_differ_only_in_padding_length_or_prefix()
    {
        // Strings whose 4-byte words look alike once zero-padded, prefixes of each other, and non-ASCII text.
        string[] paths = ["", "\0", "\0\0\0\0", "a", "a\0", "a/", "ab", "abc", "abcd", "abcd\0", "abcde",
            "blocks/1/attn/wq", "blocks/1/attn/wk", "blocks/10/attn/wq", "blocks/1/attn/wq/", "é", "e\u0301", "层/权重"];
        var keys = paths.Select(Root.FoldIn).ToList();
        Assert.Equal(paths.Length, keys.Distinct().Count());
        Assert.DoesNotContain(Root, keys);
    }

    [Fact]
    public void FoldIn_of_distinct_strings_gives_distinct_keys() =>
        Gen.Select(Gen.String, Gen.String).Where(p => p.Item1 != p.Item2)
            .Sample(p => Root.FoldIn(p.Item1) != Root.FoldIn(p.Item2));

    [Fact]
    public void FoldIn_of_a_path_differs_from_folding_in_its_bytes_as_a_number() =>
        Assert.NotEqual(Root.FoldIn(0x61u), Root.FoldIn("a"));

    [Fact]
    public void FoldIn_depends_on_the_parent_key() =>
        Assert.NotEqual(Key.FromSeed(1).FoldIn("w"), Key.FromSeed(2).FoldIn("w"));

    [Fact]
    public void FoldIn_long_equals_FoldIn_uint_below_two_to_the_32() =>
        Gen.UInt.Sample(x => Root.FoldIn((long)x) == Root.FoldIn(x));

    [Fact]
    public void FoldIn_long_differs_from_FoldIn_uint_of_its_low_word_when_high_bits_are_set()
    {
        Gen.Select(Gen.UInt, Gen.UInt[1, uint.MaxValue])
            .Sample(p => Root.FoldIn((long)(((ulong)p.Item2 << 32) | p.Item1)) != Root.FoldIn(p.Item1));
        Assert.NotEqual(Root.FoldIn(uint.MaxValue), Root.FoldIn(-1L));
    }

    [Fact]
    public void FoldIn_of_consecutive_steps_gives_distinct_keys()
    {
        var keys = Enumerable.Range(0, 10_000).Select(step => Root.FoldIn((long)step)).ToHashSet();
        Assert.Equal(10_000, keys.Count);
    }

    [Fact]
    public void Split_gives_two_distinct_keys_that_differ_from_the_parent_and_its_fold_ins()
    {
        var (a, b) = Root.Split();
        Assert.NotEqual(a, b);
        Assert.NotEqual(Root, a);
        Assert.NotEqual(Root, b);
        Assert.Equal((a, b), Root.Split());
        Assert.DoesNotContain(a, new[] { Root.FoldIn(0u), Root.FoldIn(""), b.Split().Item1, b.Split().Item2 });
    }

    [Fact]
    public void Draws_from_sibling_paths_are_uncorrelated()
    {
        // Pearson correlation of n independent standard normals has standard deviation 1/√n; allow 5 of them.
        const int n = 100_000;
        var x = Sample.Normal<double>(Root.FoldIn("layer/w"), [n]).Span;
        var y = Sample.Normal<double>(Root.FoldIn("layer/b"), [n]).Span;
        var r = 0.0;
        for (var i = 0; i < n; i++) r += x[i] * y[i];
        Assert.InRange(r / n, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
    }

    [Fact]
    public void Key_prints_its_words_in_hex() =>
        Assert.Equal("Key(0x0000002a, 0x00000000)", Root.ToString());
}
