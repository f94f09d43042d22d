using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Sqrt =>
    [
        OpSpec.Unary(nameof(Sqrt), Gens.Flat(0.5, 3), Sqrt.Forward, (x, dy) => Sqrt.Vjp(Sqrt.Forward(x), dy), Sqrt.Forward, Sqrt.Apply, Sqrt.Apply),
    ];
}

public class SqrtTests
{
    [Fact]
    public void Sqrt_hand_checked()
    {
        Assert.Equal(Tensor.Vector(2.0, 0.5, 0), Sqrt.Forward(Tensor.Vector(4.0, 0.25, 0)));
        // d√x = dy / (2√x): at x = 4 (y = 2) → dy / 4.
        Assert.Equal(Tensor.Vector(0.75), Sqrt.Vjp(Tensor.Vector(2.0), Tensor.Vector(3.0)));
    }

    [Fact]
    public void Sqrt_at_zero_and_below_gives_IEEE_values()
    {
        Assert.True(double.IsNaN(Sqrt.Forward(Tensor.Vector(-1.0)).Span[0]));
        Assert.Equal(double.PositiveInfinity, Sqrt.Vjp(Tensor.Vector(0.0), Tensor.Vector(1.0)).Span[0]);
    }

    [Fact]
    public void Sqrt_of_Square_is_Abs_exactly() =>
        // Exact in binary floating point with round-to-nearest while x² neither overflows nor underflows.
        ArithmeticGens.Flat(-1e3, 1e3).Sample(x => Sqrt.Forward(Square.Forward(x)).BitEquals(Abs.Forward(x)), iter: OpLaws.Iterations);
}
