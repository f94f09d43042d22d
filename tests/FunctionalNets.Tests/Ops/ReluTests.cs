using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    // Inputs stay at least 1e-3 from the kink at 0, far beyond the finite-difference step.
    private static OpSpec[] Activations_Relu =>
    [
        OpSpec.Unary(nameof(Relu), ShapeFamily.AwayFromZero(-3, 3), Relu.Forward, Relu.Vjp, Relu.Forward, Relu.Apply, Relu.Apply),
    ];
}

public class ReluTests
{
    [Fact]
    public void Relu_hand_checked_values_and_gradient()
    {
        var x = Tensor.Vector(-2.0, -0.5, 0, 0.5, 2);
        Assert.Equal(Tensor.Vector(0.0, 0, 0, 0.5, 2), Relu.Forward(x));
        Assert.Equal(Tensor.Vector(0.0, 0, 0, 3, 3), Relu.Vjp(x, Tensor.Full<double>([5], 3)));
    }

    [Fact]
    public void Relu_gradient_at_exactly_zero_is_zero()
    {
        Assert.Equal(0.0, Relu.Vjp(Tensor.Vector(0.0), Tensor.Vector(1.0)).Span[0]);
        Assert.Equal(0f, Relu.Vjp(Tensor.Vector(-0f), Tensor.Vector(1f)).Span[0]);
    }

    [Fact]
    public void Relu_is_max_with_zero() =>
        Gens.Flat(-3, 3).Sample(x => Relu.Forward(x).BitEquals(Tensor.Build<double>(x.Shape, y =>
        {
            for (var i = 0; i < y.Length; i++) y[i] = Math.Max(x.Span[i], 0);
        })));

    [Fact]
    public void Relu_in_float_keeps_infinities_and_nan()
    {
        var y = Relu.Forward(Tensor.Vector(float.NegativeInfinity, float.PositiveInfinity, float.NaN));
        Assert.Equal(0f, y.Span[0]);
        Assert.Equal(float.PositiveInfinity, y.Span[1]);
        Assert.True(float.IsNaN(y.Span[2]));
    }

    [Fact]
    public void Relu_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Vector(-1.0, 2, -3, 4);
        var dy = Tensor.Vector(5.0, 6, 7, 8);
        var (y, dxs) = ShapeFamily.OnTape(v => Relu.Apply(v[0]), dy, x);
        Assert.Equal(Tensor.Vector(0.0, 2, 0, 4), y);
        Assert.Equal(Tensor.Vector(0.0, 6, 0, 8), dxs[0]);
    }

    [Fact]
    public void Relu_vjp_shape_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Relu.Vjp(Tensor.Zeros<double>([3]), Tensor.Zeros<double>([4])));
        Assert.Contains("Relu", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }
}
