using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Layers;

/// <summary>
/// Finite-difference checks in double of whole layers: the gradient of a loss with respect to every parameter and
/// the input at once, so every pullback the layer records (including fan-out into residuals and fused projections)
/// is exercised together.
/// </summary>
public class GradientCheckTests
{
    private static readonly Tensor<double> X = Sample.Normal<double>(Key.FromSeed(71), [2, 5, 8]);

    private static readonly Dictionary<string, Layer<double>> Cases = new()
    {
        ["dense"] = Dense.Of<double>("fc", 6),
        ["dense without bias"] = Dense.Of<double>("fc", 6, bias: false),
        ["feed-forward"] = FeedForward.Of<double>("mlp", 8, hidden: 12),
        ["feed-forward, GELU, no biases"] = FeedForward.Of<double>("mlp", 8, hidden: 12, activation: Gelu.Apply, bias: false),
        ["self-attention"] = SelfAttention.Of<double>("attn", heads: 2, causal: false),
        ["self-attention, causal"] = SelfAttention.Of<double>("attn", heads: 2, causal: true),
        ["self-attention, causal, no biases"] = SelfAttention.Of<double>("attn", heads: 2, causal: true, bias: false),
        ["block, pre-norm"] = Block.Of<double>("block", heads: 2, NormPlacement.Pre, hidden: 12),
        ["block, post-norm"] = Block.Of<double>("block", heads: 2, NormPlacement.Post, hidden: 12),
        ["block, pre-norm, non-causal, gain-only norms, no biases, GELU, dropout"] = Block.Of<double>("block", heads: 4, causal: false,
            hidden: 12, activation: Gelu.Apply, dropout: 0.2, bias: false, normBias: false),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory, MemberData(nameof(Names))]
    public void Layer_gradient_of_every_parameter_and_the_input_matches_central_differences(string name)
    {
        var layer = Cases[name];
        // The input is a parameter too, so its cotangent is checked with the others.
        var net = from x in Net.Param<double>("x", X.Shape, (_, _) => X)
                  from y in layer(x)
                  select y;
        var key = Key.FromSeed(72);
        // N(0, 0.3) noise moves biases off 0 and gains off 1, where a wrong pullback could hide.
        var p0 = Net.Init(net, key).Map((path, t) => Add.Forward(t, Sample.Normal<double>(key.FoldIn("noise/" + path), t.Shape, 0, 0.3)));
        var rng = Key.FromSeed(73);
        // A fixed random weighting of the outputs makes the loss's cotangent differ from element to element.
        var weights = Sample.Normal<double>(Key.FromSeed(74), Net.Apply(net, p0, rng, training: true).Value.Shape);
        var loss = from y in net
                   from w in Net.Const(weights)
                   from wy in Multiply.Apply(y, w)
                   from l in Sum.Apply(wy)
                   select l;
        GradCheck.Parameters(name, loss, p0, seed: 75, rng: rng);
    }
}
