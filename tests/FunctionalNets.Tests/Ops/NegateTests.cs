using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Negate =>
    [
        OpSpec.Unary(nameof(Negate), Gens.Flat(), Negate.Forward, (_, dy) => Negate.Vjp(dy), Negate.Forward, Negate.Apply, Negate.Apply),
    ];
}

public class NegateTests
{
    [Fact]
    public void Negate_hand_checked()
    {
        var y = Negate.Forward(Tensor.Vector(1.5, -2, 0));
        Assert.Equal(Tensor.Vector(-1.5, 2, -0.0), y);
        Assert.True(double.IsNegative(y.Span[2]));
    }

    [Fact]
    public void Negate_vjp_negates_the_cotangent() =>
        Assert.Equal(Tensor.Vector(-3.0, 4), Negate.Vjp(Tensor.Vector(3.0, -4)));

    [Fact]
    public void Negate_twice_is_the_identity_bit_for_bit() =>
        Gens.Flat().Sample(x => Negate.Forward(Negate.Forward(x)).BitEquals(x), iter: OpLaws.Iterations);
}
