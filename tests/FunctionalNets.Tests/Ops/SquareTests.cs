using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Square =>
    [
        OpSpec.Unary(nameof(Square), ArithmeticGens.Flat(), Square.Forward, Square.Vjp, Square.Forward, Square.Apply, Square.Apply),
    ];
}

public class SquareTests
{
    [Fact]
    public void Square_hand_checked()
    {
        Assert.Equal(Tensor.Vector(9.0, 0.25, 0), Square.Forward(Tensor.Vector(-3.0, 0.5, 0)));
        // dx = 2x·dy: 2·(−3)·2 = −12, 2·0.5·1 = 1.
        Assert.Equal(Tensor.Vector(-12.0, 1), Square.Vjp(Tensor.Vector(-3.0, 0.5), Tensor.Vector(2.0, 1)));
    }

    [Fact]
    public void Square_equals_Multiply_by_itself_and_ignores_the_sign() =>
        Gens.Flat().Sample(x =>
        {
            Assert.True(Square.Forward(x).BitEquals(Multiply.Forward(x, x)));
            Assert.True(Square.Forward(Negate.Forward(x)).BitEquals(Square.Forward(x)));
        }, iter: OpLaws.Iterations);
}
