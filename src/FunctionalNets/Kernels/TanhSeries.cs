using System.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>
/// tanh near 0 by its odd Taylor series <c>tanh x = x + x·Σₖ c₂ₖ₊₃·x²⁽ᵏ⁺¹⁾</c>, for the elements where a vector tanh
/// loses relative accuracy (|x| &lt; <see cref="Bound"/>).
/// </summary>
/// <remarks>
/// The coefficients follow from tanh′ = 1 − tanh²: with tanh x = Σ cₘxᵐ (m odd), <c>m·cₘ = −Σ cᵢcⱼ</c> over odd
/// i + j = m − 1, c₁ = 1 (so c₃ = −1/3, c₅ = 2/15, …). The signs alternate, so the products in one sum all have
/// the same sign and the recurrence in double loses nothing to cancellation. tanh's nearest singularities are ±iπ/2, so the terms shrink by
/// about (2x/π)² ≤ 0.123 below the bound: 17 terms reach 2⁻⁵⁴ of x for double, 8 reach 2⁻²⁶ for float. The sum is
/// evaluated in double and rounded once to T; the correction x·Σ is at most a tenth of x, so y is within about one
/// ulp. A zero keeps its sign, and a subnormal x gives y = x.
/// </remarks>
internal static class TanhSeries
{
    /// <summary>The |x| below which the series replaces the vector tanh.</summary>
    public const double Bound = 0.55;

    // c₃, c₅, c₇, …: as many as double needs at the bound.
    private static readonly double[] Coefficients = Series(Math.Pow(2, -54));

    private static readonly int FloatTerms = Terms(Math.Pow(2, -26));

    /// <summary>Overwrites <c>y[i]</c> with the series' tanh(x[i]) wherever |x[i]| &lt; <see cref="Bound"/>.</summary>
    public static void Patch<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var terms = typeof(T) == typeof(float) ? FloatTerms : Coefficients.Length;
        for (var i = 0; i < x.Length; i++)
        {
            var v = double.CreateTruncating(x[i]);
            if (Math.Abs(v) < Bound) y[i] = T.CreateTruncating(Tanh(v, terms));
        }
    }

    private static double Tanh(double x, int terms)
    {
        var z = x * x;
        if (z == 0) return x; // ±0 and |x| < 1e-162: x + x·(0·p) would turn −0 into +0
        var p = Coefficients[terms - 1];
        for (var k = terms - 2; k >= 0; k--) p = p * z + Coefficients[k];
        return x + x * (z * p);
    }

    // c₃, c₅, … up to the first whose term |cₘ|·Bound^(m−1) falls below tolerance (relative to x).
    private static double[] Series(double tolerance)
    {
        var c = new List<double> { 1 }; // c[k] = c₂ₖ₊₁
        for (var m = 3; ; m += 2)
        {
            var sum = 0.0;
            for (var i = 1; i < m - 1; i += 2) sum += c[(i - 1) / 2] * c[(m - 1 - i - 1) / 2];
            var cm = -sum / m;
            if (Math.Abs(cm) * Math.Pow(Bound, m - 1) < tolerance) return [.. c.Skip(1)];
            c.Add(cm);
        }
    }

    // How many of the coefficients a relative tolerance needs at the bound.
    private static int Terms(double tolerance)
    {
        var n = 0;
        while (n < Coefficients.Length && Math.Abs(Coefficients[n]) * Math.Pow(Bound, 2 * n + 2) >= tolerance) n++;
        return Math.Max(n, 1);
    }
}
