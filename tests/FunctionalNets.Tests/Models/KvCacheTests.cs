using System.Numerics;
using FunctionalNets.Models;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Models.GptFixtures;

namespace FunctionalNets.Tests.Models;

public class KvCacheTests
{
    private static readonly int[] Tokens = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];

    private static void Close(double[] expected, double[] actual, double tol, string where)
    {
        for (var v = 0; v < expected.Length; v++)
            Assert.True(Math.Abs(expected[v] - actual[v]) <= tol * Math.Max(1, Math.Abs(expected[v])),
                $"{where}, id {v}: full forward {expected[v]:R}, cache {actual[v]:R}");
    }

    private static void Prefill_then_steps_match_the_full_forward<T>(string variant, double tol)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cfg = Variants[variant];
        var p = Parameters<T>(cfg, 7);
        var tokens = Tokens[..cfg.Context];
        var full = FullLogits(p, cfg, tokens);
        var (prefill, cache) = KvCache.Prefill(p, cfg, tokens.AsSpan(0, 3));
        Assert.Equal(Shape.Of(3, cfg.Vocab), prefill.Shape);
        for (var t = 0; t < 3; t++) Close(Row(full, t), Row(prefill, t), tol, $"{variant} prefill position {t}");
        for (var t = 3; t < tokens.Length; t++)
        {
            (var logits, cache) = KvCache.Step(p, cfg, cache, tokens[t]);
            Assert.Equal(Shape.Of(cfg.Vocab), logits.Shape);
            Close(Row(full, t), Row(logits.Reshape(Shape.Of(1, cfg.Vocab)), 0), tol, $"{variant} step at position {t}");
            Assert.Equal(tokens[..(t + 1)], cache.Tokens);
        }
        Assert.All(cache.Keys, k => Assert.Equal(Shape.Of(cfg.Heads, cfg.Context, cfg.Channels / cfg.Heads), k.Shape));
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(GptFixtures))]
    public void Float_prefill_and_steps_match_the_full_forward(string variant) =>
        Prefill_then_steps_match_the_full_forward<float>(variant, 1e-5);

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(GptFixtures))]
    public void Double_prefill_and_steps_match_the_full_forward(string variant) =>
        Prefill_then_steps_match_the_full_forward<double>(variant, 1e-12);

    [Theory]
    [InlineData(false, 8)]
    [InlineData(true, 8)]
    [InlineData(true, 1)]
    public void Steps_past_the_context_match_the_full_forward_on_the_last_window(bool w6Options, int context)
    {
        var cfg = new GptConfig(Vocab: 11, Context: context, Channels: 16, Layers: 2, Heads: 4, TieWeights: w6Options, Bias: !w6Options,
            NormBias: !w6Options, Activation: w6Options ? GptActivation.Gelu : GptActivation.GeluTanh);
        var p = Parameters<double>(cfg, 8);
        var (_, cache) = KvCache.Prefill(p, cfg, Tokens.AsSpan(0, context));
        for (var t = context; t < Tokens.Length; t++)
        {
            (var logits, cache) = KvCache.Step(p, cfg, cache, Tokens[t]);
            // The model sees the last `context` tokens ending at t, at positions 0 … context − 1.
            var window = Tokens[(t + 1 - context)..(t + 1)];
            Close(Row(FullLogits(p, cfg, window), context - 1), logits.ToArray(), 1e-12, $"position {t}");
            Assert.Equal(window, cache.Tokens);
        }
    }

    [Fact]
    public void Prefill_rejects_an_empty_or_too_long_prompt()
    {
        var cfg = Variants["w3"];
        var p = Parameters<float>(cfg, 1);
        Assert.Contains("need 1 to 8", Assert.Throws<ArgumentException>(() => KvCache.Prefill(p, cfg, [])).Message);
        Assert.Contains("got 9", Assert.Throws<ArgumentException>(() => KvCache.Prefill(p, cfg, Tokens.AsSpan(0, 9))).Message);
    }

    [Fact]
    public void Step_rejects_a_cache_of_another_model()
    {
        var (small, big) = (Variants["w3"], Variants["mixed"]);
        var (_, cache) = KvCache.Prefill(Parameters<float>(small, 1), small, [1, 2]);
        var ex = Assert.Throws<ArgumentException>(() => KvCache.Step(Parameters<float>(big, 1), big, cache, 3));
        Assert.Contains("2 blocks", ex.Message);
        Assert.Contains("3 blocks", ex.Message);
    }

    [Fact]
    public void Cache_is_a_value_a_step_leaves_the_old_one_as_it_was()
    {
        var cfg = Variants["w6"];
        var p = Parameters<float>(cfg, 2);
        var (_, cache) = KvCache.Prefill(p, cfg, [1, 2, 3]);
        var keys = cache.Keys[0].ToArray();
        var (a, _) = KvCache.Step(p, cfg, cache, 4);
        var (b, _) = KvCache.Step(p, cfg, cache, 4);
        Assert.Equal(3, cache.Length);
        Assert.Equal(keys, cache.Keys[0].ToArray());
        Assert.True(a.BitEquals(b));
    }
}
