using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Losses_BinaryCrossEntropy =>
    [
        OpSpec.Binary(nameof(BinaryCrossEntropy), BinaryCrossEntropyTests.LogitsAndTargets, BinaryCrossEntropy.Forward,
            BinaryCrossEntropy.Vjp, BinaryCrossEntropy.Forward, BinaryCrossEntropy.Apply, BinaryCrossEntropy.Apply),
    ];
}

public class BinaryCrossEntropyTests
{
    /// <summary>Logits in [−8, 8] and soft targets in [0, 1] of the same shape.</summary>
    internal static Gen<(Tensor<double>, Tensor<double>)> LogitsAndTargets =>
        Gens.Shape().SelectMany(s => Gen.Select(Gens.Tensor(s, -8, 8), Gens.Tensor(s, 0, 1)));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void BinaryCrossEntropy_hand_checked_values()
    {
        // σ(0) = 1/2 → log 2 whatever the target; σ(ln 3) = 3/4 → −log 3/4 for y = 1 and −log 1/4 for y = 0.
        Assert.Equal(Math.Log(2), BinaryCrossEntropy.Forward(Tensor.Vector(0.0), Tensor.Vector(0.3)).ToScalar(), 1e-15);
        Assert.Equal(-Math.Log(0.75), BinaryCrossEntropy.Forward(Tensor.Vector(Math.Log(3)), Tensor.Vector(1.0)).ToScalar(), 1e-15);
        var mean = BinaryCrossEntropy.Forward(Tensor.Vector(Math.Log(3), Math.Log(3)), Tensor.Vector(1.0, 0.0)).ToScalar();
        Assert.Equal(-(Math.Log(0.75) + Math.Log(0.25)) / 2, mean, 1e-15);
    }

    [Fact]
    public void BinaryCrossEntropy_hand_checked_gradients()
    {
        // n = 2, dy = 1: dx = (σ(x) − y)/2 = ((3/4 − 1)/2, (1/2 − 0)/2), dy' = −x/2.
        var (x, y) = (Tensor.Vector(Math.Log(3), 0.0), Tensor.Vector(1.0, 0.0));
        var (dx, dt) = BinaryCrossEntropy.Vjp(x, y, Tensor.Scalar(1.0));
        Assert.True(dx.AllClose(Tensor.Vector(-0.125, 0.25), 1e-15, 1e-16), dx.ToString());
        Assert.True(dt.AllClose(Tensor.Vector(-Math.Log(3) / 2, 0.0), 1e-15, 0), dt.ToString());
    }

    [Fact]
    public void BinaryCrossEntropy_is_accurate_and_finite_for_large_logits()
    {
        // log(1 + e^−40) = e^−40 to 18 digits; the naive log(1 + e^−40) would round to 0.
        Assert.Equal(Math.Exp(-40), BinaryCrossEntropy.Forward(Tensor.Vector(40.0), Tensor.Vector(1.0)).ToScalar(), Math.Exp(-40) * 1e-15);
        Assert.Equal(800.0, BinaryCrossEntropy.Forward(Tensor.Vector(-800.0), Tensor.Vector(1.0)).ToScalar());
        Assert.Equal(0.0, BinaryCrossEntropy.Forward(Tensor.Vector(-800.0), Tensor.Vector(0.0)).ToScalar());
        var (dx, _) = BinaryCrossEntropy.Vjp(Tensor.Vector(-800.0, 800.0), Tensor.Vector(1.0, 0.0), Tensor.Scalar(1.0));
        Assert.Equal([-0.5, 0.5], dx.ToArray());
    }

    [Fact]
    public void BinaryCrossEntropy_equals_the_log_likelihood_form_and_is_nonnegative() =>
        LogitsAndTargets.Sample((x, y) =>
        {
            var expected = 0.0;
            for (var i = 0; i < x.Size; i++)
            {
                var p = Sigmoid(x.Span[i]);
                expected -= (y.Span[i] * Math.Log(p) + (1 - y.Span[i]) * Math.Log(1 - p)) / x.Size;
            }
            var loss = BinaryCrossEntropy.Forward(x, y).ToScalar();
            return loss >= 0 && Math.Abs(loss - expected) <= 1e-12 * (1 + expected);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void BinaryCrossEntropy_apply_records_both_cotangents() =>
        TapeCheck.MatchesVjp([Tensor.Vector(1.0, -2.0, 0.5), Tensor.Vector(0.0, 1.0, 0.25)],
            vs => BinaryCrossEntropy.Apply(vs[0], vs[1]),
            (xs, dy) =>
            {
                var (dx, dt) = BinaryCrossEntropy.Vjp(xs[0], xs[1], dy);
                return [dx, dt];
            });

    [Fact]
    public void BinaryCrossEntropy_shape_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => BinaryCrossEntropy.Forward(Tensor.Zeros<double>([4]), Tensor.Zeros<double>([2, 2])));
        Assert.Equal("BinaryCrossEntropy: shapes must match, got [4] and [2, 2]", ex.Message);
        var dy = Assert.Throws<ArgumentException>(() => BinaryCrossEntropy.Vjp(Tensor.Zeros<double>([4]), Tensor.Zeros<double>([4]), Tensor.Zeros<double>([4])));
        Assert.Contains("BinaryCrossEntropy: dy must be a single number", dy.Message);
    }
}
