using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Activations_Tanh =>
    [
        OpSpec.Unary(nameof(Tanh), Gens.Flat(-5, 5), Tanh.Forward, (x, dy) => Tanh.Vjp(Tanh.Forward(x), dy), Tanh.Forward, Tanh.Apply, Tanh.Apply),
    ];
}

public class TanhTests
{
    [Fact]
    public void Tanh_hand_checked_values()
    {
        // tanh(0) = 0, tanh(±∞-ish) saturates, tanh(1) = (e² − 1)/(e² + 1).
        var y = Tanh.Forward(Tensor.Vector(0.0, 1.0, -800.0, 800.0));
        var e2 = Math.E * Math.E;
        Assert.Equal(0.0, y.Span[0]);
        Assert.Equal((e2 - 1) / (e2 + 1), y.Span[1], 1e-15);
        Assert.Equal(-1.0, y.Span[2]);
        Assert.Equal(1.0, y.Span[3]);
    }

    [Fact]
    public void Tanh_vjp_at_zero_passes_the_cotangent_through()
    {
        var dx = Tanh.Vjp(Tanh.Forward(Tensor.Vector(0.0)), Tensor.Vector(2.5));
        Assert.Equal(2.5, dx.Span[0]);
    }
}
