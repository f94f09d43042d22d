using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Autodiff;

public class ObserverTests
{
    private static readonly Tensor<double> X = Tensor.Matrix([0.5, -1.0], [2.0, 0.25]);

    // L = Σ tanh(x·W + b) under the scope "net/fc"; x is a constant, so the gradient flows to W and b only.
    private static readonly Layer<double> Model = Layer.Scope("net", Dense.Of<double>("fc", 3).Then(Tanh.Apply));

    private static Net<double, Var<double>> Loss() =>
        from y in Model.On(X)
        from l in Sum.Apply(y)
        select l;

    private static readonly Params<double> P = Net.Init(Loss(), Key.FromSeed(3));

    private sealed class Log : IOpObserver<double>
    {
        public List<(string Op, string Path, Tensor<double> Y, int Inputs)> Forwards { get; } = [];

        public List<(string Op, string Path, Tensor<double> Dy, int Dxs)> Backwards { get; } = [];

        public void Forward(ForwardOp<double> op) => Forwards.Add((op.Op, op.Path, op.Output.Value, op.Inputs.Count));

        public void Backward(BackwardOp<double> op) => Backwards.Add((op.Op, op.Path, op.Dy, op.Dxs.Count(d => d is not null)));
    }

    [Fact]
    public void Observer_sees_every_forward_result_in_order_then_the_pullbacks_newest_first_with_their_layer_paths()
    {
        var log = new Log();
        Grad.ValueAndGrad(Loss(), P, observer: log);
        Assert.Equal([("Affine", "net/fc", 3), ("Tanh", "net", 1), ("Sum", "", 1)], log.Forwards.Select(f => (f.Op, f.Path, f.Inputs)));
        // The pullbacks run in reverse; Affine's x is a constant, so it returns cotangents for W and b only.
        Assert.Equal([("Sum", "", 1), ("Tanh", "net", 1), ("Affine", "net/fc", 2)], log.Backwards.Select(b => (b.Op, b.Path, b.Dxs)));
        // What the observer saw is the computation's own values: y = tanh(x·W + b), and Σ's seed is 1.
        var expected = Tanh.Forward(Affine.Forward(X, P["net/fc/w"], P["net/fc/b"]));
        Assert.True(log.Forwards[1].Y.BitEquals(expected));
        Assert.Equal(1.0, log.Backwards[0].Dy.ToScalar());
    }

    [Fact]
    public void Observing_changes_no_bit_of_the_loss_or_the_gradients()
    {
        var (plain, plainGrads) = Grad.ValueAndGrad(Loss(), P);
        var (watched, watchedGrads) = Grad.ValueAndGrad(Loss(), P, observer: new Log());
        Assert.Equal(plain, watched);
        Assert.Equal(plainGrads.Digest(), watchedGrads.Digest());
    }

    [Fact]
    public void Inference_is_observed_too()
    {
        var log = new Log();
        Net.Apply(Loss(), P, observer: log);
        Assert.Equal(["Affine", "Tanh", "Sum"], log.Forwards.Select(f => f.Op));
        Assert.Empty(log.Backwards);
    }
}
