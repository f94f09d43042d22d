using FunctionalNets.Models;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Models.GptFixtures;

namespace FunctionalNets.Tests.Models;

public class AttentionWeightsTests
{
    [Fact]
    public void The_first_blocks_weights_are_the_causal_softmax_of_its_scaled_query_key_products()
    {
        var cfg = Variants["w6"]; // pre-norm, no biases, gain-only norms
        var p = Parameters<double>(cfg, 3);
        int[] ids = [3, 1, 4, 1, 5];
        var weights = KvCache.AttentionWeights(p, cfg, ids);
        var (n, c, heads) = (ids.Length, cfg.Channels, cfg.Heads);
        var d = c / heads;
        Assert.Equal(cfg.Layers, weights.Length);
        Assert.All(weights, w => Assert.Equal(Shape.Of(heads, n, n), w.Shape));
        // By hand: x = wte[id] + wpe[t]; a = (x − mean)/√(var + ε)·g; q = a·W_Q, k = a·W_K; P = softmax over s ≤ t of q·k/√D.
        var a = new double[n, c];
        for (var t = 0; t < n; t++)
        {
            var x = Enumerable.Range(0, c).Select(j => p["wte"][ids[t], j] + p["wpe"][t, j]).ToArray();
            var (mean, var) = (x.Average(), x.Select(v => (v - x.Average()) * (v - x.Average())).Average());
            for (var j = 0; j < c; j++) a[t, j] = (x[j] - mean) / Math.Sqrt(var + cfg.NormEps) * p["blocks/0/ln1/g"][j];
        }
        double Project(string w, int t, int j) => Enumerable.Range(0, c).Sum(i => a[t, i] * p[$"blocks/0/attn/{w}/w"][i, j]);
        for (var h = 0; h < heads; h++)
            for (var t = 0; t < n; t++)
            {
                var scores = Enumerable.Range(0, t + 1)
                    .Select(s => Enumerable.Range(h * d, d).Sum(j => Project("wq", t, j) * Project("wk", s, j)) / Math.Sqrt(d)).ToArray();
                var z = scores.Sum(v => Math.Exp(v - scores.Max()));
                for (var s = 0; s < n; s++)
                    Assert.Equal(s <= t ? Math.Exp(scores[s] - scores.Max()) / z : 0, weights[0][h, t, s], 1e-12);
            }
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_refused()
    {
        var cfg = Variants["w3"];
        var e = Assert.Throws<ArgumentException>(() => KvCache.AttentionWeights(Parameters<double>(cfg, 1), cfg, new int[cfg.Context + 1]));
        Assert.Contains("AttentionWeights: need 1 to 8", e.Message);
    }
}
