using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Kernels;

/// <summary>The float GELU (vectorised erfc formula) against the double one (MathNet's erfc, exact to double ulps).</summary>
[Collection(ExclusivePool.Name)]
public class GeluErfcTests
{
    // The error bound, relative: a few float epsilons, growing in the lower tail with the float rounding of the
    // exponent's argument (about x²/2 epsilons).
    private static double Bound(float x) => 5e-7 + (x < 0 ? 2.5e-7 * x * x : 0);

    private static (float Y, float Dx) Float(float x, float dy) =>
        (Gelu.Forward(Tensor.Vector(x)).Span[0], Gelu.Vjp(Tensor.Vector(x), Tensor.Vector(dy)).Span[0]);

    private static (double Y, double Dx) Double(double x, double dy) =>
        (Gelu.Forward(Tensor.Vector(x)).Span[0], Gelu.Vjp(Tensor.Vector(x), Tensor.Vector(dy)).Span[0]);

    [Fact]
    public void Float_gelu_and_slope_are_within_a_few_epsilons_of_the_double_ones()
    {
        // From x = −2 up: a few float epsilons, relative. The slope Φ(x) + x·φ(x) cancels near its zero at
        // x ≈ −0.75, so its error is measured against the size of its terms, |dy|·(Φ(x) + |x|·φ(x)).
        Gen.Float[-2, 60].Select(Gen.Float[-4, 4]).Sample((x, dy) =>
        {
            var ((y, dx), (ry, rdx)) = (Float(x, dy), Double(x, dy));
            var terms = Math.Abs(dy) * ((x > 4 ? 1 : FunctionalNets.Tests.Ops.GeluTests.Phi(x)) + Math.Abs(x) * Math.Exp(-x * x / 2.0) / Math.Sqrt(2 * Math.PI));
            return Math.Abs(y - ry) <= Bound(x) * Math.Abs(ry) + 1e-38 && Math.Abs(dx - rdx) <= Bound(x) * terms + 1e-38;
        }, iter: 20_000);
    }

    [Fact]
    public void In_the_lower_tail_the_relative_error_grows_only_with_the_exponent()
    {
        // No 1 + erf cancellation: at x = −10, where Φ is 7.6e-24, the result still has 4 correct digits; the error
        // is the float rounding of the exponent's argument, about x²/2 times float's epsilon.
        Gen.Float[-12, -2].Sample(x =>
        {
            var ((y, dx), (ry, rdx)) = (Float(x, 1), Double(x, 1));
            return Math.Abs(y - ry) <= Bound(x) * Math.Abs(ry) && Math.Abs(dx - rdx) <= Bound(x) * Math.Abs(rdx);
        }, iter: 5_000);
    }

    [Fact]
    public void Vector_bodies_and_the_scalar_tail_give_the_same_bits()
    {
        var x = Sample.Normal<float>(Key.FromSeed(3), [4_099], std: 6);
        var dy = Sample.Normal<float>(Key.FromSeed(4), [4_099]);
        var (y, dx) = (Gelu.Forward(x), Gelu.Vjp(x, dy));
        for (var i = 0; i < x.Size; i += 7)
        {
            // A one-element tensor runs only the scalar tail.
            var (yi, dxi) = Float(x.Span[i], dy.Span[i]);
            Assert.Equal(BitConverter.SingleToInt32Bits(yi), BitConverter.SingleToInt32Bits(y.Span[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(dxi), BitConverter.SingleToInt32Bits(dx.Span[i]));
        }
    }

    [Fact]
    public void One_and_two_threads_give_the_same_bits()
    {
        var x = Sample.Normal<float>(Key.FromSeed(5), [300_001], std: 3);
        var one = OnThreads.Run(1, () => (Gelu.Forward(x), Gelu.Vjp(x, x)));
        var two = OnThreads.Run(2, () => (Gelu.Forward(x), Gelu.Vjp(x, x)));
        Assert.True(one.Item1.BitEquals(two.Item1));
        Assert.True(one.Item2.BitEquals(two.Item2));
    }

    [Fact]
    public void The_tape_reuses_the_forward_passes_cdf_and_gets_the_vjps_bits()
    {
        // Lengths around the vector tails, values across both tails, ±∞ and NaN.
        Gen.Int[1, 70].SelectMany(n => Gen.Float[-40, 40].Array[n], (n, xs) => xs).Sample(xs =>
        {
            xs[0] = xs.Length % 3 == 0 ? float.NegativeInfinity : xs.Length % 3 == 1 ? float.NaN : float.PositiveInfinity;
            var x = Tensor.From<float>([xs.Length], xs);
            var dy = Sample.Normal<float>(Key.FromSeed((ulong)xs.Length), [xs.Length]);
            var taped = FunctionalNets.Autodiff.Grad.Vjp<float>(v => Gelu.Apply(v[0]), [x]);
            AssertSameBitsNaNAsNaN(taped.Output, Gelu.Forward(x));
            AssertSameBitsNaNAsNaN(taped.Pullback(dy).Variables[0], Gelu.Vjp(x, dy));
        }, iter: 300);
    }

    // A NaN's sign is not part of the result: the same code gave −NaN fully optimised and +NaN at the JIT's first tier
    // (a NaN input's VJP), and tiering decides which one a call runs.
    private static void AssertSameBitsNaNAsNaN(Tensor<float> actual, Tensor<float> expected)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (var i = 0; i < expected.Size; i++)
        {
            var (a, e) = (actual.Span[i], expected.Span[i]);
            Assert.True(float.IsNaN(e) ? float.IsNaN(a) : BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(e),
                $"element {i}: {a} ({BitConverter.SingleToInt32Bits(a):X8}) against {e} ({BitConverter.SingleToInt32Bits(e):X8})");
        }
    }

    [Theory]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity, 1f)]
    [InlineData(float.NegativeInfinity, 0f, 0f)]
    [InlineData(-30f, -0f, 0f)]
    [InlineData(30f, 30f, 1f)]
    public void Special_values_and_the_far_tails(float x, float y, float slope)
    {
        var (gy, gdx) = Float(x, 1);
        Assert.Equal(y, gy);
        Assert.Equal(slope, gdx);
        Assert.True(float.IsNaN(Float(float.NaN, 1).Y));
        Assert.True(float.IsNaN(Float(float.NaN, 1).Dx));
    }
}
