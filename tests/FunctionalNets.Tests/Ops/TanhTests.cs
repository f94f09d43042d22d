using CsCheck;
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
    // Vectors longer than two Vector512 widths of float, so the vector paths and their tails both run.
    private const int Length = 37;

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

    // x = ±10^e with e uniform, so every scale from subnormal-adjacent to saturation is drawn as often.
    private static readonly Gen<double> AnyScale =
        Gen.Select(Gen.Double[-30, 1.4], Gen.Bool).Select((e, negative) => (negative ? -1 : 1) * Math.Pow(10, e));

    [Fact]
    public void Tanh_is_within_four_ulp_of_a_28_digit_reference_in_double() =>
        AnyScale.Array[Length].Sample(values =>
        {
            var y = Tanh.Forward(Tensor.Vector(values));
            for (var i = 0; i < values.Length; i++) AssertNear(values[i], y.Span[i], 52);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Tanh_is_within_four_ulp_of_a_28_digit_reference_in_float() =>
        AnyScale.Array[Length].Sample(values =>
        {
            var x = Tensor.Vector(values).ToFloat();
            var y = Tanh.Forward(x);
            for (var i = 0; i < values.Length; i++) AssertNear(x.Span[i], y.Span[i], 23);
        }, iter: OpLaws.Iterations);

    // Below 1e-9 the exact tanh x = x − x³/3 + … rounds to x in either precision, so y must be x to the bit; above,
    // y is within 4 ulp (of a format with the given mantissa bits) of the reference.
    private static void AssertNear(double x, double y, int mantissaBits)
    {
        if (Math.Abs(x) < 1e-9)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits(y));
            return;
        }
        var r = Reference(x);
        var ulp = Math.ScaleB(1.0, Math.ILogB((double)Math.Abs(r)) - mantissaBits);
        var ulps = (double)(Math.Abs(ToDecimal(y) - r) / ToDecimal(ulp));
        Assert.True(ulps <= 4, $"tanh({x:R}) = {y:R}, {ulps:F2} ulp from {r}");
    }

    [Fact]
    public void Tanh_keeps_zeros_signs_and_tiny_values_exactly()
    {
        // tanh x = x − x³/3 + …: below 1e-9 the cubic term is under half an ulp, so y = x to the bit, sign of 0 included.
        double[] tiny = [0.0, -0.0, 1e-20, -1e-20, 1e-300, -1e-300, double.Epsilon, -double.Epsilon, 1e-10, -1e-10];
        var x = Tensor.Vector<double>([.. Enumerable.Range(0, 4).SelectMany(_ => tiny)]);
        Assert.True(Tanh.Forward(x).BitEquals(x), Tanh.Forward(x).ToString());
        var xf = x.ToFloat();
        Assert.True(Tanh.Forward(xf).BitEquals(xf), Tanh.Forward(xf).ToString());
    }

    [Fact]
    public void Tanh_saturates_at_infinities_and_passes_NaN()
    {
        double[] special = [double.PositiveInfinity, double.NegativeInfinity, 20, -20, 1e300, -1e300, double.NaN];
        var y = Tanh.Forward(Tensor.Vector<double>([.. Enumerable.Range(0, 6).SelectMany(_ => special)]));
        var yf = Tanh.Forward(Tensor.Vector<double>([.. Enumerable.Range(0, 6).SelectMany(_ => special)]).ToFloat());
        for (var i = 0; i < y.Size; i++)
        {
            var expected = double.IsNaN(special[i % special.Length]) ? double.NaN : Math.Sign(special[i % special.Length]);
            Assert.Equal(expected, y.Span[i]);
            Assert.Equal((float)expected, yf.Span[i]);
        }
    }

    [Fact]
    public void Tanh_is_odd_to_the_bit() =>
        AnyScale.Array[Length].Sample(values =>
        {
            var x = Tensor.Vector(values);
            return Tanh.Forward(Negate.Forward(x)).BitEquals(Negate.Forward(Tanh.Forward(x)))
                && Tanh.Forward(Negate.Forward(x.ToFloat())).BitEquals(Negate.Forward(Tanh.Forward(x.ToFloat())));
        }, iter: OpLaws.Iterations);

    // tanh x = s/(s + 2) with s = e^(2|x|) − 1 = Σₖ≥₁ (2|x|)ᵏ/k!, a sum of positive terms, in decimal (28 digits): no
    // cancellation anywhere. From 20 on, tanh x rounds to ±1 in either precision.
    private static decimal Reference(double x)
    {
        var a = Math.Abs(x);
        if (a >= 20) return Math.Sign(x);
        decimal twoA = 2 * ToDecimal(a), term = 1, s = 0;
        for (var k = 1; term != 0 && k < 400; k++)
        {
            term = term * twoA / k;
            s += term;
        }
        return Math.Sign(x) * (s / (s + 2));
    }

    // A normal double's value in decimal, to decimal's 28 places (the built-in conversion keeps only 15 digits).
    private static decimal ToDecimal(double x)
    {
        var e = Math.ILogB(x) - 52;
        var m = (decimal)(long)Math.ScaleB(x, -e);
        for (; e < 0; e++) m /= 2;
        for (; e > 0; e--) m *= 2;
        return m;
    }
}
