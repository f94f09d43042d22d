using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Activations_GeluTanh =>
    [
        OpSpec.Unary(nameof(GeluTanh), Gens.Flat(-6, 6), GeluTanh.Forward, GeluTanh.Vjp, GeluTanh.Forward, GeluTanh.Apply, GeluTanh.Apply),
    ];
}

public class GeluTanhTests
{
    /// <summary>The textbook formula <c>½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>.</summary>
    private static double Formula(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    [Fact]
    public void GeluTanh_hand_checked_values()
    {
        var y = GeluTanh.Forward(Tensor.Vector(0.0, 1, -1, 3));
        Assert.Equal(0.0, y.Span[0]);
        Assert.Equal(Formula(1), y.Span[1], 1e-15);
        Assert.Equal(Formula(-1), y.Span[2], 1e-15);
        Assert.Equal(Formula(3), y.Span[3], 1e-14);
    }

    [Fact]
    public void GeluTanh_matches_the_tanh_formula() =>
        Gen.Double[-8, 8].Sample(x => Math.Abs(GeluTanh.Forward(Tensor.Vector(x)).Span[0] - Formula(x)) <= 1e-14 * (1 + Math.Abs(x)));

    [Fact]
    public void GeluTanh_is_within_1e_3_of_the_exact_gelu() =>
        Gens.Flat(-10, 10).Sample(x => GeluTanh.Forward(x).AllClose(Gelu.Forward(x), rtol: 0, atol: 1e-3));

    [Fact]
    public void GeluTanh_vjp_hand_checked_at_zero_and_one()
    {
        // d/dx at 0: s = ½, so the slope is ½. At 1: s = σ(2u), slope = s + s(1 − s)·2u′ with u′ = √(2/π)(1 + 3·0.044715).
        var (u, du) = (Math.Sqrt(2 / Math.PI) * 1.044715, Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715));
        var s = 1 / (1 + Math.Exp(-2 * u));
        var dx = GeluTanh.Vjp(Tensor.Vector(0.0, 1), Tensor.Vector(1.0, 2));
        Assert.Equal(0.5, dx.Span[0], 1e-15);
        Assert.Equal(2 * (s + s * (1 - s) * 2 * du), dx.Span[1], 1e-14);
    }

    [Fact]
    public void GeluTanh_special_values_are_the_limits()
    {
        var x = Tensor.Vector(float.NegativeInfinity, float.PositiveInfinity, -1e30f, 1e30f, float.NaN);
        var y = GeluTanh.Forward(x);
        Assert.Equal(0f, y.Span[0]);
        Assert.Equal(float.PositiveInfinity, y.Span[1]);
        Assert.Equal(0f, y.Span[2]);
        Assert.Equal(1e30f, y.Span[3]);
        Assert.True(float.IsNaN(y.Span[4]));
        var dx = GeluTanh.Vjp(x, Tensor.Ones<float>(x.Shape));
        Assert.Equal(Tensor.Vector(0f, 1, 0, 1), Tensor.Vector(dx.Span[0], dx.Span[1], dx.Span[2], dx.Span[3]));
    }

    [Fact]
    public void GeluTanh_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Vector(-1.5, 0.25, 3);
        var dy = Tensor.Vector(2.0, -1, 0.5);
        var (y, dxs) = ShapeFamily.OnTape(v => GeluTanh.Apply(v[0]), dy, x);
        Assert.Equal(GeluTanh.Forward(x), y);
        Assert.Equal(GeluTanh.Vjp(x, dy), dxs[0]);
    }

    [Fact]
    public void GeluTanh_vjp_shape_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => GeluTanh.Vjp(Tensor.Zeros<double>([3]), Tensor.Zeros<double>([2])));
        Assert.Contains("GeluTanh", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }
}
