using System.Numerics;
using System.Runtime.InteropServices;
using MathNet.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>
/// The standard normal distribution in double precision, and the exact GELU <c>x·Φ(x)</c> built on it.
/// Φ comes from the complementary error function of MathNet.Numerics (Boost's rational approximations, accurate
/// to a few units in the last place of a double), so float and double inputs alike are computed in double and
/// rounded once.
/// </summary>
internal static class Gaussian
{
    private static readonly double InvSqrt2 = 1 / Math.Sqrt(2);
    private static readonly double InvSqrt2Pi = 1 / Math.Sqrt(2 * Math.PI);

    /// <summary><c>Φ(x) = ½·erfc(−x/√2)</c>; erfc keeps the relative accuracy of the lower tail.</summary>
    public static double Cdf(double x) => 0.5 * SpecialFunctions.Erfc(-x * InvSqrt2);

    /// <summary><c>φ(x) = e^{−x²/2} / √(2π)</c>.</summary>
    public static double Pdf(double x) => InvSqrt2Pi * Math.Exp(-0.5 * x * x);

    /// <summary>Whether <see cref="Gelu{T}"/> can keep Φ(x) for <see cref="GeluVjp{T}"/> (the vectorised float kernel can).</summary>
    public static bool KeepsCdf<T>() => typeof(T) == typeof(float);

    /// <summary>
    /// <c>y = x·Φ(x)</c>; 0 wherever Φ(x) is 0 (so −∞ gives 0, not −∞·0 = NaN). Where <see cref="KeepsCdf{T}"/>, a
    /// non-empty <paramref name="cdf"/> receives Φ(x).
    /// </summary>
    /// <remarks>float takes the vectorised <see cref="GeluErfc"/> (about one float ulp); double stays exact to a few double ulps.</remarks>
    public static void Gelu<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> cdf = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            GeluErfc.Forward(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y), MemoryMarshal.Cast<T, float>(cdf));
            return;
        }
        for (var i = 0; i < x.Length; i++)
        {
            var v = double.CreateTruncating(x[i]);
            var p = Cdf(v);
            y[i] = T.CreateTruncating(p == 0 ? 0 : v * p);
        }
    }

    /// <summary>
    /// <c>dx = dy·(Φ(x) + x·φ(x))</c>; the <c>x·φ(x)</c> term is 0 wherever φ(x) is 0 (at ±∞). A non-empty
    /// <paramref name="cdf"/> is the Φ(x) that <see cref="Gelu{T}"/> kept.
    /// </summary>
    public static void GeluVjp<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx, ReadOnlySpan<T> cdf = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            GeluErfc.Vjp(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(dy), MemoryMarshal.Cast<T, float>(dx),
                MemoryMarshal.Cast<T, float>(cdf));
            return;
        }
        for (var i = 0; i < x.Length; i++)
        {
            var v = double.CreateTruncating(x[i]);
            var d = Pdf(v);
            var slope = Cdf(v) + (d == 0 ? 0 : v * d);
            dx[i] = T.CreateTruncating(double.CreateTruncating(dy[i]) * slope);
        }
    }
}
