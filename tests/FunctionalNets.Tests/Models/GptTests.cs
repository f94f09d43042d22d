using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Models;
using FunctionalNets.Optim;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.Models;

public class GptTests
{
    public static TheoryData<string, bool> VariantsTiedAndUntied
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var name in GptFixtures.Variants.Keys)
            {
                data.Add(name, true);
                data.Add(name, false);
            }
            return data;
        }
    }

    [Theory, MemberData(nameof(VariantsTiedAndUntied))]
    public void Gradient_of_every_parameter_matches_central_differences(string variant, bool tied)
    {
        // Every architecture of the fixtures (W3's, W6's, post-LN, a mixed one with dropout), head tied and untied.
        var c = GptFixtures.Variants[variant];
        var cfg = new GptConfig(c.Vocab, c.Context, c.Channels, c.Layers, c.Heads, c.Hidden, tied, c.Norm, c.Dropout, c.Bias, c.NormBias,
            c.NormEps, c.Activation, c.ScaledResidualInit);
        var ids = Sample.Integers(Key.FromSeed(31), [2, 5], cfg.Vocab);
        var targets = Sample.Integers(Key.FromSeed(32), [2, 5], cfg.Vocab);
        var p0 = GptFixtures.Parameters<double>(cfg, 33);
        Assert.Equal(tied, !p0.Contains("head/w"));
        Assert.Equal(cfg.Bias, p0.Contains("blocks/0/attn/wq/b"));
        GradCheck.Parameters($"gpt {variant}", Gpt.Loss<double>(cfg, ids, targets), p0, seed: 34, rng: Key.FromSeed(35));
    }

    [Fact]
    public void W6_like_tiny_model_learns_a_repeated_text()
    {
        const string text = "to be or not to be, that is the question. ";
        var chars = text.Distinct().Order().ToArray();
        var ids = text.Select(c => Array.IndexOf(chars, c)).ToArray();
        var cfg = new GptConfig(Vocab: chars.Length, Context: 16, Channels: 32, Layers: 2, Heads: 4, TieWeights: true, Bias: false,
            NormBias: false, Activation: GptActivation.Gelu, ScaledResidualInit: true);
        // A batch of 8 windows of 16 at offsets drawn from the step's key, targets shifted by one (the corpus wraps around).
        (Tensor<int> X, Tensor<int> Y) Batch(int step)
        {
            var starts = Sample.Integers(Key.FromSeed(51).FoldIn(step), [8], ids.Length);
            var (x, y) = (new int[8 * 16], new int[8 * 16]);
            for (var b = 0; b < 8; b++)
                for (var t = 0; t < 16; t++)
                    (x[b * 16 + t], y[b * 16 + t]) = (ids[(starts[b] + t) % ids.Length], ids[(starts[b] + t + 1) % ids.Length]);
            return (Tensor.From<int>([8, 16], x), Tensor.From<int>([8, 16], y));
        }
        var trainer = new Trainer<float, (Tensor<int> X, Tensor<int> Y)>(b => Gpt.Loss<float>(cfg, b.X, b.Y), Optimizer.AdamW<float>(3e-3));
        var start = TrainState<float>.Start(Net.Init(Gpt.Logits<float>(cfg, Batch(0).X), Key.FromSeed(52)), trainer.Optimizer, Key.FromSeed(53));
        var losses = trainer.Scan(start, Enumerable.Range(0, 60).Select(Batch)).Select(r => r.Report.Loss).ToList();
        Assert.Equal(Math.Log(chars.Length), losses[0], 0.1);  // an untrained model is near uniform
        Assert.True(losses.TakeLast(5).Average() < 0.5 * losses[0], $"loss {losses[0]:F3} → {string.Join(", ", losses.TakeLast(5).Select(l => l.ToString("F3")))}");
    }

    [Fact]
    public void An_out_of_range_id_names_the_embedding_and_where_the_id_is()
    {
        var cfg = new GptConfig(Vocab: 5, Context: 4, Channels: 4, Layers: 1, Heads: 1);
        var ids = Tensor.From<int>([1, 2], [0, 5]);
        var p = Net.Init(Gpt.Logits<float>(cfg, Tensor.Zeros<int>([1, 2])), Key.FromSeed(1));
        var ex = Assert.Throws<ArgumentException>(() => Net.Apply(Gpt.Logits<float>(cfg, ids), p));
        Assert.Equal("wte: id 5 at position [0, 1] is out of range for V = 5", ex.Message);
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(2, 0)]
    public void An_empty_batch_is_an_error_not_a_loss_of_zero(int batch, int tokens)
    {
        var cfg = new GptConfig(Vocab: 5, Context: 4, Channels: 4, Layers: 1, Heads: 1);
        var ids = Tensor.Zeros<int>([batch, tokens]);
        var ex = Assert.Throws<ArgumentException>(() => Net.Apply(Gpt.Loss<float>(cfg, ids, ids), Net.Init(Gpt.Logits<float>(cfg, Tensor.Zeros<int>([1, 2])), Key.FromSeed(1))));
        Assert.Equal($"gpt: ids [{batch}, {tokens}] hold no tokens; a batch needs at least one sequence of at least one token", ex.Message);
    }

    [Fact]
    public void Errors_inside_a_scope_name_its_full_path_once()
    {
        // An op's own error gets the layer path in front; a layer that already names its path is left alone.
        var x = Tensor.Zeros<float>([1, 2, 4]);
        var bias = from b in Net.Const(Tensor.Zeros<float>([5])) select b;
        Layer<float> broadcastFails = v => bias.Bind(b => FunctionalNets.Ops.Add.Apply(v, b));
        var add = Assert.Throws<ArgumentException>(() => Net.Init(Layer.Scope("blocks", Layer.Repeat(1, _ => broadcastFails)).On(x), Key.FromSeed(1)));
        Assert.Equal("blocks/0: Add: cannot broadcast [1, 2, 4] with [5]", add.Message);
        // A residual never broadcasts: f changing the width (here to 1, which Add would stretch) is an error in its scope.
        var residual = Assert.Throws<ArgumentException>(() =>
            Net.Init(Layer.Scope("blocks", Layer.Repeat(1, _ => Layer.Residual(Dense.Of<float>("proj", 1)))).On(x), Key.FromSeed(1)));
        Assert.Equal("blocks/0: Residual: f(x) has shape [1, 2, 1] but x has [1, 2, 4]; x + f(x) needs the same shape", residual.Message);
        var eps = Assert.Throws<ArgumentException>(() => Net.Init(Layer.Scope("blocks", Layer.Repeat(1, _ => Block.Of<float>("", heads: 2, eps: -1))).On(x), Key.FromSeed(1)));
        Assert.Equal("blocks/0/ln1: LayerNorm: ε must be positive and finite, got -1", eps.Message);
    }

    [Fact]
    public void A_head_count_that_does_not_divide_the_width_names_the_block()
    {
        var blocks = Layer.Scope("blocks", Layer.Repeat(2, _ => Block.Of<float>("", heads: 3)));
        var ex = Assert.Throws<ArgumentException>(() => Net.Init(blocks.On(Tensor.Zeros<float>([1, 2, 10])), Key.FromSeed(1)));
        Assert.Equal("blocks/0/attn: 10 channels do not split into 3 heads", ex.Message);
    }
}
