using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Abs =>
    [
        OpSpec.Unary(nameof(Abs), ArithmeticGens.Signed(0.01, 3), Abs.Forward, Abs.Vjp, Abs.Forward, Abs.Apply, Abs.Apply),
    ];
}

public class AbsTests
{
    [Fact]
    public void Abs_hand_checked()
    {
        Assert.Equal(Tensor.Vector(3.0, 0.5, 0, 0), Abs.Forward(Tensor.Vector(-3.0, 0.5, 0, -0.0)));
        Assert.Equal(Tensor.Vector(-2.0, 2, 0, 0), Abs.Vjp(Tensor.Vector(-3.0, 0.5, 0, -0.0), Tensor.Vector(2.0, 2, 2, 2)));
    }

    [Fact]
    public void Abs_vjp_is_sign_times_dy_with_zero_at_zero_and_NaN_at_NaN()
    {
        // 33 elements, so the SIMD body (where the hardware has it) and the scalar tail both run.
        var x = Tensor.Build<double>([33], v =>
        {
            for (var i = 0; i < v.Length; i++) v[i] = (i % 4) switch { 0 => i, 1 => -i, 2 => 0, _ => double.NaN };
        });
        var dx = Abs.Vjp(x, Tensor.Full<double>([33], 1.5));
        for (var i = 0; i < 33; i++)
        {
            var expected = (i % 4) switch { 0 => i == 0 ? 0 : 1.5, 1 => -1.5, 2 => 0, _ => double.NaN };
            Assert.Equal(expected, dx.Span[i]);
        }
    }

    [Fact]
    public void Abs_is_non_negative_and_even() =>
        Gens.Flat().Sample(x =>
            Abs.Forward(x).Span.ToArray().All(v => v >= 0) && Abs.Forward(Negate.Forward(x)).BitEquals(Abs.Forward(x)),
            iter: OpLaws.Iterations);

    [Fact]
    public void Abs_vjp_with_wrong_cotangent_shape_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Abs.Vjp(Tensor.Zeros<double>([3]), Tensor.Zeros<double>([1, 3])));
        Assert.Equal("Abs: shapes must match, got [3] and [1, 3]", ex.Message);
    }
}
