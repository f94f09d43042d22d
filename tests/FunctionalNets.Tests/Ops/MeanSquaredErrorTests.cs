using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Losses_MeanSquaredError =>
    [
        OpSpec.Binary(nameof(MeanSquaredError), MeanSquaredErrorTests.ApartPair, MeanSquaredError.Forward, MeanSquaredError.Vjp, MeanSquaredError.Forward,
            MeanSquaredError.Apply, MeanSquaredError.Apply),
    ];
}

public class MeanSquaredErrorTests
{
    /// <summary>
    /// Prediction and target of the same shape whose elements differ by 0.1 to 3. At p = t the loss is stationary
    /// (zero gradient, value 0), and a central difference there measures only the rounding of x ± εu, not the VJP;
    /// the law check stays away from that point and the hand-checked case covers it.
    /// </summary>
    internal static Gen<(Tensor<double>, Tensor<double>)> ApartPair =>
        Gens.Shape().SelectMany(s => Gen.Select(Gens.Tensor(s), Gens.Tensor(s, 0.1, 3), Gen.Bool.Array[s.Size]))
            .Select((t, gap, below) => (Tensor.Build<double>(t.Shape, p =>
            {
                for (var i = 0; i < p.Length; i++) p[i] = t.Span[i] + (below[i] ? -gap.Span[i] : gap.Span[i]);
            }), t));

    [Fact]
    public void MeanSquaredError_hand_checked_value_and_gradients()
    {
        // ((1−1)² + (2−0)² + (3−0)²)/3 = 13/3; dp = 2(p − t)/3 = (0, 4/3, 2), dt = −dp.
        var (p, t) = (Tensor.Vector(1.0, 2.0, 3.0), Tensor.Vector(1.0, 0.0, 0.0)); // the first element has p = t
        Assert.Equal(13.0 / 3, MeanSquaredError.Forward(p, t).ToScalar(), 1e-15);
        var (dp, dt) = MeanSquaredError.Vjp(p, t, Tensor.Scalar(1.0));
        Assert.True(dp.AllClose(Tensor.Vector(0.0, 4.0 / 3, 2.0), 1e-15, 0), dp.ToString());
        Assert.True(dt.AllClose(Tensor.Vector(0.0, -4.0 / 3, -2.0), 1e-15, 0), dt.ToString());
    }

    [Fact]
    public void MeanSquaredError_of_no_elements_is_an_error()
    {
        var empty = Tensor.Zeros<double>([2, 0]);
        Assert.Equal("MeanSquaredError: nothing to average (prediction and target [2, 0]); the mean of no elements is undefined, so an empty batch is an error",
            Assert.Throws<ArgumentException>(() => MeanSquaredError.Forward(empty, empty)).Message);
        Assert.Throws<ArgumentException>(() => MeanSquaredError.Vjp(empty, empty, Tensor.Scalar(1.0)));
    }

    [Fact]
    public void MeanSquaredError_is_nonnegative_symmetric_and_zero_on_equal_inputs() =>
        Gens.SameShapePair().Sample((p, t) =>
        {
            var l = MeanSquaredError.Forward(p, t).ToScalar();
            return l >= 0 && l == MeanSquaredError.Forward(t, p).ToScalar() && MeanSquaredError.Forward(p, p).ToScalar() == 0;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void MeanSquaredError_apply_records_both_cotangents() =>
        TapeCheck.MatchesVjp([Tensor.Vector(1.0, -2.0, 0.5), Tensor.Vector(0.0, 1.0, 3.0)],
            vs => MeanSquaredError.Apply(vs[0], vs[1]),
            (xs, dy) =>
            {
                var (dp, dt) = MeanSquaredError.Vjp(xs[0], xs[1], dy);
                return [dp, dt];
            });

    [Fact]
    public void MeanSquaredError_shape_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => MeanSquaredError.Forward(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([3, 2])));
        Assert.Equal("MeanSquaredError: shapes must match, got [2, 3] and [3, 2]", ex.Message);
    }
}
