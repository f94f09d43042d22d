using CsCheck;
using FunctionalNets.Kernels;

namespace FunctionalNets.Tests.Kernels;

/// <summary>The float exponential of softmax and the exact GELU, against double's, and its bits across widths.</summary>
public class FloatExpTests
{
    // Two float ulps at the result, relative: the Taylor tail is below 5e-9, the rest is float rounding.
    private const double Bound = 2 * 1.1920929e-7;

    [Fact]
    public void Is_within_two_float_ulps_of_the_double_exponential() =>
        Gen.Float[-87, 88].Sample(a => Math.Abs(FloatExp.Of(a) - Math.Exp(a)) <= Bound * Math.Exp(a), iter: 50_000);

    [Fact]
    public void Gives_one_at_zero_zero_below_the_floor_and_keeps_nan()
    {
        Assert.Equal(1f, FloatExp.Of(0f));
        Assert.Equal(0f, FloatExp.Of(-87.5f));
        Assert.Equal(0f, FloatExp.Of(float.NegativeInfinity));
        Assert.True(float.IsNaN(FloatExp.Of(float.NaN)));
        var lanes = new float[32];
        lanes.AsSpan().Fill(float.NaN);
        lanes[1] = float.NegativeInfinity;
        foreach (var bits in AtEveryWidth.Widths)
        {
            using var width = VectorWidth.Use(bits);
            var y = new float[lanes.Length];
            NonPositiveExp.Into<float>(lanes, y);
            Assert.True(float.IsNaN(y[0]) && y[1] == 0 && float.IsNaN(y[^1]), $"{bits} bits: {y[0]}, {y[1]}, {y[^1]}");
        }
    }

    [Fact]
    public void Every_width_and_the_scalar_tail_give_the_scalar_bits() =>
        Gen.Float[-100, 0].Array[0, 70].Sample(xs =>
        {
            foreach (var bits in AtEveryWidth.Widths)
            {
                using var width = VectorWidth.Use(bits);
                var y = new float[xs.Length];
                NonPositiveExp.Into<float>(xs, y);
                for (var i = 0; i < xs.Length; i++)
                    if (BitConverter.SingleToInt32Bits(y[i]) != BitConverter.SingleToInt32Bits(FloatExp.Of(xs[i])))
                        return false;
            }
            return true;
        }, iter: 500);
}
