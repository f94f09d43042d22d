using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Power =>
    [
        PowerSpec(2.5, Gens.Flat(0.5, 3)),
        PowerSpec(0.5, Gens.Flat(0.5, 3)),
        PowerSpec(-1.5, Gens.Flat(0.5, 3)),
        PowerSpec(3, ArithmeticGens.Signed()), // an integer exponent is defined for negative x; x³ has slope 0 at 0, so stay away
    ];

    private static OpSpec PowerSpec(double p, Gen<Tensor<double>> inputs) =>
        OpSpec.Unary($"{nameof(Power)}({p})", inputs, x => Power.Forward(x, p), (x, dy) => Power.Vjp(x, dy, p), x => Power.Forward(x, (float)p),
            x => Power.Apply(x, p), x => Power.Apply(x, (float)p));
}

public class PowerTests
{
    [Fact]
    public void Power_hand_checked()
    {
        Assert.Equal(Tensor.Vector(2.0, 3), Power.Forward(Tensor.Vector(4.0, 9), 0.5));
        Assert.Equal(Tensor.Vector(8.0, -8, 0.125), Power.Forward(Tensor.Vector(2.0, -2, 0.5), 3.0));
        Assert.Equal(Tensor.Vector(0.25, 0.5), Power.Forward(Tensor.Vector(4.0, 2), -1.0));
    }

    [Fact]
    public void Power_vjp_hand_checked()
    {
        // d/dx x³ = 3x²: at 2 → 12, at −1 → 3; times dy = [1, 2].
        Assert.Equal(Tensor.Vector(12.0, 6), Power.Vjp(Tensor.Vector(2.0, -1), Tensor.Vector(1.0, 2), 3.0));
        // d/dx √x = 1/(2√x): at 4 → 1/4.
        Assert.Equal(Tensor.Vector(0.25), Power.Vjp(Tensor.Vector(4.0), Tensor.Vector(1.0), 0.5));
    }

    [Theory]
    [InlineData(2.0, 0.0)]
    [InlineData(1.0, 1.5)] // p = 1: dx = dy
    [InlineData(0.5, double.PositiveInfinity)]
    [InlineData(-1.0, double.NegativeInfinity)]
    [InlineData(0.0, 0.0)] // x⁰ is constant: exactly 0, not 0·∞
    public void Power_vjp_at_zero(double p, double expected) =>
        Assert.Equal(expected, Power.Vjp(Tensor.Vector(0.0), Tensor.Vector(1.5), p).Span[0]);

    [Fact]
    public void Power_of_a_negative_base_with_non_integer_exponent_is_NaN()
    {
        Assert.True(double.IsNaN(Power.Forward(Tensor.Vector(-2.0), 0.5).Span[0]));
        Assert.True(double.IsNaN(Power.Vjp(Tensor.Vector(-2.0), Tensor.Vector(1.0), 0.5).Span[0]));
    }

    [Fact]
    public void Power_two_is_Square_and_power_one_is_the_identity() =>
        Gens.Flat().Sample(x =>
        {
            Assert.True(Power.Forward(x, 2.0).AllClose(Square.Forward(x), rtol: 1e-15, atol: 0));
            Assert.True(Power.Forward(x, 1.0).BitEquals(x));
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Power_exponents_multiply() =>
        Gen.Select(Gens.Flat(0.5, 3), Gen.Double[-2, 2], Gen.Double[-2, 2]).Sample((x, p, q) =>
            Power.Forward(Power.Forward(x, p), q).AllClose(Power.Forward(x, p * q), rtol: 1e-13, atol: 0), iter: OpLaws.Iterations);

    [Fact]
    public void Power_vjp_with_wrong_cotangent_shape_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Power.Vjp(Tensor.Zeros<double>([2]), Tensor.Zeros<double>([3]), 2.0));
        Assert.Equal("Power: shapes must match, got [2] and [3]", ex.Message);
    }

    [Fact]
    public void Power_and_Scale_apply_close_over_their_constants_hand_checked()
    {
        // loss = Σ 2·w³: dloss/dw = 6w² = [6, 24, 54].
        var ps = Params<double>.Empty.With("w", Tensor.Vector(1.0, -2, 3));
        Initializer<double> none = (_, s) => Tensor.Zeros<double>(s);
        var loss =
            from w in Net.Param("w", [3], none)
            from cube in Power.Apply(w, 3.0)
            from twice in Scale.Apply(cube, 2.0)
            from l in Sum.Apply(twice)
            select l;
        var (value, grads) = Grad.ValueAndGrad(loss, ps);
        Assert.Equal(2.0 * (1 - 8 + 27), value);
        Assert.Equal(Tensor.Vector(6.0, 24, 54), grads["w"]);
    }
}
