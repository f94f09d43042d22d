using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Layers;

public class BlockOptionsTests
{
    private static readonly Tensor<double> X = Sample.Normal<double>(Key.FromSeed(61), [2, 5, 8]);

    [Fact]
    public void Gain_only_norm_has_no_bias_and_scales_each_normalised_row()
    {
        var g = Sample.Normal<double>(Key.FromSeed(62), [8]);
        var p = Params<double>.Empty.With("ln/g", g);
        const double eps = 0.5;
        var y = Net.Apply(Norm.Layer<double>("ln", eps, bias: false).On(X), p).Value;
        Assert.Equal(["ln/g"], Net.Init(Norm.Layer<double>("ln", bias: false).On(X), Key.FromSeed(1)).Paths);
        for (var b = 0; b < 2; b++)
            for (var t = 0; t < 5; t++)
            {
                // By hand: (x − mean)/√(biased variance + ε)·g.
                var row = Enumerable.Range(0, 8).Select(c => X[b, t, c]).ToArray();
                var mean = row.Average();
                var variance = row.Sum(v => (v - mean) * (v - mean)) / 8;
                for (var c = 0; c < 8; c++)
                    Assert.Equal((row[c] - mean) / Math.Sqrt(variance + eps) * g[c], y[b, t, c], 1e-12);
            }
    }

    [Fact]
    public void Block_without_biases_has_only_weights_and_gains()
    {
        var block = Block.Of<double>("b", heads: 2, hidden: 12, bias: false, normBias: false);
        Assert.Equal(["b/attn/wk/w", "b/attn/wo/w", "b/attn/wq/w", "b/attn/wv/w", "b/ln1/g", "b/ln2/g", "b/mlp/fc/w", "b/mlp/proj/w"],
            Net.Init(block.On(X), Key.FromSeed(2)).Paths);
    }

    [Fact]
    public void Output_init_starts_only_the_two_residual_projections()
    {
        var zeros = new LinearInit<double>(Init.Zeros<double>(), Init.Zeros<double>());
        var p = Net.Init(Block.Of<double>("b", heads: 2, init: LinearInit<double>.Gpt(), outputInit: zeros).On(X), Key.FromSeed(3));
        foreach (var path in p.Paths)
        {
            var allZero = p[path].Data.All(v => v == 0);
            // GPT-2 init: biases and norm shifts start at zero anyway; of the weights, exactly wo and proj are zero.
            var expectZero = path.EndsWith("/b", StringComparison.Ordinal) || path is "b/attn/wo/w" or "b/mlp/proj/w";
            Assert.True(expectZero == allZero, path);
        }
    }

    [Fact]
    public void Self_attention_takes_a_single_sequence_as_a_batch_of_one()
    {
        var layer = SelfAttention.Of<double>("attn", heads: 2);
        var one = Tensor.From<double>([5, 8], X.Data.AsSpan(0, 40));
        var p = Net.Init(layer.On(one), Key.FromSeed(4));
        var single = Net.Apply(layer.On(one), p).Value;
        var batched = Net.Apply(layer.On(one.Reshape(Shape.Of(1, 5, 8))), p).Value;
        Assert.Equal(Shape.Of(5, 8), single.Shape);
        Assert.True(single.BitEquals(batched.Reshape(Shape.Of(5, 8))));
    }

    [Fact]
    public void Self_attention_rejects_other_ranks_naming_its_path()
    {
        var ex = Assert.Throws<ArgumentException>(() => Net.Init(Layer.Scope("blocks", SelfAttention.Of<double>("attn", 2)).On(Tensor.Zeros<double>([8])), Key.FromSeed(1)));
        Assert.Equal("blocks/attn: expected input [batch, tokens, channels] or [tokens, channels], got [8]", ex.Message);
    }

    [Fact]
    public void Feed_forward_without_bias_is_f_of_x_w1_times_w2()
    {
        var w1 = Sample.Normal<double>(Key.FromSeed(5), [8, 3]);
        var w2 = Sample.Normal<double>(Key.FromSeed(6), [3, 8]);
        var p = Params<double>.Empty.With("ffn/fc/w", w1).With("ffn/proj/w", w2);
        var y = Net.Apply(FeedForward.Of<double>("ffn", 8, hidden: 3, bias: false).On(X), p).Value;
        for (var b = 0; b < 2; b++)
            for (var t = 0; t < 5; t++)
                for (var c = 0; c < 8; c++)
                {
                    var expected = 0.0;
                    for (var h = 0; h < 3; h++)
                    {
                        var a = 0.0;
                        for (var i = 0; i < 8; i++) a += X[b, t, i] * w1[i, h];
                        expected += Math.Max(a, 0) * w2[h, c];      // ReLU, the default activation
                    }
                    Assert.Equal(expected, y[b, t, c], 1e-12);
                }
    }
}
