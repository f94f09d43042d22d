using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Activations_Gelu =>
    [
        OpSpec.Unary(nameof(Gelu), Gens.Flat(-6, 6), Gelu.Forward, Gelu.Vjp, Gelu.Forward, Gelu.Apply, Gelu.Apply),
    ];
}

public class GeluTests
{
    /// <summary>
    /// Φ(x) = ½(1 + erf(x/√2)) from the Maclaurin series erf(z) = (2/√π) Σ (−1)ⁿ z^{2n+1} / (n!(2n+1)), summed
    /// until the terms vanish: independent of the library's erf; cancellation limits it to ~1e-14 for |x| ≤ 4.
    /// </summary>
    internal static double Phi(double x)
    {
        var z = x / Math.Sqrt(2);
        double sum = 0, term = z; // term = (−1)ⁿ z^{2n+1} / n!
        for (var n = 0; n < 200 && Math.Abs(term) > 1e-30; n++)
        {
            sum += term / (2 * n + 1);
            term *= -z * z / (n + 1);
        }
        return 0.5 * (1 + 2 / Math.Sqrt(Math.PI) * sum);
    }

    private static double PhiDensity(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);

    [Fact]
    public void Gelu_hand_checked_values()
    {
        var y = Gelu.Forward(Tensor.Vector(0.0, 1, -1, 2.5));
        Assert.Equal(0.0, y.Span[0]);
        Assert.Equal(Phi(1), y.Span[1], 1e-13);
        Assert.Equal(-Phi(-1), y.Span[2], 1e-13);
        Assert.Equal(2.5 * Phi(2.5), y.Span[3], 1e-13);
        // Φ(1) to 16 digits, as tabulated for the standard normal.
        Assert.Equal(0.8413447460685429, y.Span[1], 1e-15);
    }

    [Fact]
    public void Gelu_vjp_is_phi_plus_x_times_density()
    {
        var dx = Gelu.Vjp(Tensor.Vector(0.0, 1, -2), Tensor.Vector(1.0, 1, 3));
        Assert.Equal(0.5, dx.Span[0], 1e-15);
        Assert.Equal(Phi(1) + PhiDensity(1), dx.Span[1], 1e-13);
        Assert.Equal(3 * (Phi(-2) - 2 * PhiDensity(-2)), dx.Span[2], 1e-13);
    }

    [Fact]
    public void Gelu_matches_the_erf_series() =>
        Gen.Double[-4, 4].Sample(x => Math.Abs(Gelu.Forward(Tensor.Vector(x)).Span[0] - x * Phi(x)) < 1e-13);

    [Fact]
    public void Gelu_special_values_are_the_limits()
    {
        var x = Tensor.Vector(double.NegativeInfinity, double.PositiveInfinity, -1000, 1000, double.NaN);
        var y = Gelu.Forward(x);
        Assert.Equal(0.0, y.Span[0]);
        Assert.Equal(double.PositiveInfinity, y.Span[1]);
        Assert.Equal(0.0, y.Span[2]);
        Assert.Equal(1000.0, y.Span[3]);
        Assert.True(double.IsNaN(y.Span[4]));
        var dx = Gelu.Vjp(x, Tensor.Ones<double>(x.Shape));
        Assert.Equal(Tensor.Vector(0.0, 1, 0, 1), Tensor.Vector(dx.Span[0], dx.Span[1], dx.Span[2], dx.Span[3]));
    }

    [Fact]
    public void Gelu_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Vector(-1.5, 0.25, 3);
        var dy = Tensor.Vector(2.0, -1, 0.5);
        var (y, dxs) = ShapeFamily.OnTape(v => Gelu.Apply(v[0]), dy, x);
        Assert.Equal(Gelu.Forward(x), y);
        Assert.Equal(Gelu.Vjp(x, dy), dxs[0]);
    }

    [Fact]
    public void Gelu_vjp_shape_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gelu.Vjp(Tensor.Zeros<double>([3]), Tensor.Zeros<double>([1, 3])));
        Assert.Contains("Gelu", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[1, 3]", ex.Message);
    }
}
