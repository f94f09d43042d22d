using System.Runtime.CompilerServices;

namespace FunctionalNets.Kernels;

/// <summary>
/// The exact GELU <c>x·Φ(x)</c> and its slope for float tensors, vectorised: <c>Φ(x) = ½·erfc(−x/√2)</c> from a
/// closed-form erfc with a fractional error below 1.2·10⁻⁷ (the Chebyshev-fitted formula of Numerical Recipes,
/// <c>erfc(z) ≈ t·exp(−z² + P(t))</c>, <c>t = 1/(1 + z/2)</c>), in float arithmetic.
/// </summary>
/// <remarks>
/// Accuracy: within 5·10⁻⁷ relative (a few float epsilons) for x ≥ −2, and no <c>1 + erf</c> cancellation in the lower tail, where the relative
/// error grows only with the float rounding of the exponent's argument, about 2.5·10⁻⁷·x² (2.5·10⁻⁵ at x = −10,
/// where Φ is 7.6·10⁻²⁴).
/// Same bits on every machine and width: the 512-, 256- and 128-bit bodies and the scalar tail perform the same IEEE operations in the same
/// order (add, multiply, divide, exponent assembly; no fused multiply-add, whose presence differs between
/// machines), so an element's result does not depend on the vector width or on where the tail begins. Work is
/// split into fixed chunks across threads; elements are independent, so the thread count changes nothing.
/// </remarks>
internal static unsafe class GeluErfc
{
    private const int Chunk = 1024;

    // Element operations per element (erfc polynomial, exp, a few more), for the thread split.
    private const long Cost = 40;

    private const float InvSqrt2 = 0.70710678f;
    private const float InvSqrt2Pi = 0.39894228f;

    // erfc(z) ≈ t·exp(−z² + P(t)) for z ≥ 0, by Horner's rule from the highest power down, written out so the
    // coefficients are constants.
    private const float P9 = 0.17087277f, P8 = -0.82215223f, P7 = 1.48851587f, P6 = -1.13520398f, P5 = 0.27886807f,
        P4 = -0.18628806f, P3 = 0.09678418f, P2 = 0.37409196f, P1 = 1.00002368f, P0 = -1.26551223f;

    /// <summary>
    /// <c>y = x·Φ(x)</c> (0 where Φ(x) is 0, so −∞ gives 0); when <paramref name="cdf"/> is not empty, Φ(x) is also
    /// written there, so the VJP need not compute it again.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> cdf = default)
    {
        fixed (float* px = x, py = y, pc = cdf)
            Partition.For(Chunks(x.Length), Chunk * Cost, new Pass(px, null, pc, py, x.Length));
    }

    /// <summary>
    /// <c>dx = dy·(Φ(x) + x·φ(x))</c> (the x·φ term 0 where φ(x) is 0), with Φ(x) read from <paramref name="cdf"/>
    /// when it is not empty (as <see cref="Forward"/> wrote it: the same bits), else computed.
    /// </summary>
    public static void Vjp(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, ReadOnlySpan<float> cdf = default)
    {
        fixed (float* px = x, pdy = dy, pdx = dx, pc = cdf)
            Partition.For(Chunks(x.Length), Chunk * (cdf.IsEmpty ? Cost : Cost / 2), new Pass(px, pdy, pc, pdx, x.Length));
    }

    private static int Chunks(int n) => (n + Chunk - 1) / Chunk;

    /// <summary>
    /// Chunks [start, end): the forward pass when <c>dy</c> is null (also writing Φ to <c>cdf</c> unless it is null),
    /// else the VJP (reading Φ from <c>cdf</c> unless it is null).
    /// </summary>
    private readonly struct Pass(float* x, float* dy, float* cdf, float* output, int n) : IRangeBody, IVectorRangeBody<float>
    {
        public void Run(int start, int end) => AtWidth.Run<Pass, float>(this, start, end);

        // Chunks [start, end).
        public void Run<TV>(int start, int end)
            where TV : unmanaged, ISimd<TV, float>
        {
            var (from, to) = (start * Chunk, Math.Min(n, end * Chunk));
            var i = from;
            // The pass is bound by the latency of each vector's chain, so at 256 bits it runs two side by side
            // (Pair256, the same bits: forward 1.4 and VJP 1.3 times as fast on the Zen 3). Not the VJP that
            // recomputes Φ, whose longer body ran 8 % slower on pairs, nor the other widths (unmeasured).
            if (TV.IsSupported && typeof(TV) == typeof(V256<float>) && (dy == null || cdf != null))
                i = Vectors<Pair256>(i, to);
            if (TV.IsSupported)
                i = Vectors<TV>(i, to);
            for (; i < to; i++)
                output[i] = Element(x[i], dy == null ? 0 : dy[i], i);
        }

        // Whole vectors from i while they fit before `to`; returns where they stop. Out of line, so a loop over
        // pairs and a loop over single vectors are compiled apart.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private int Vectors<TV>(int i, int to)
            where TV : unmanaged, ISimd<TV, float>
        {
            for (; i + TV.Count <= to; i += TV.Count)
                Element<TV>(i).Store(output + i);
            return i;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private TV Element<TV>(int i)
            where TV : unmanaged, ISimd<TV, float>
        {
            var v = TV.Load(x + i);
            if (dy == null)
            {
                var p = Cdf(v);
                if (cdf != null) p.Store(cdf + i);
                return TV.Select(TV.Equal(p, TV.Zero), TV.Zero, v * p);
            }
            var phi = cdf != null ? TV.Load(cdf + i) : Cdf(v);
            var density = FloatExp.Of(v * v * TV.Create(-0.5f)) * TV.Create(InvSqrt2Pi);
            var tail = TV.Select(TV.Equal(density, TV.Zero), TV.Zero, v * density);
            return TV.Load(dy + i) * (phi + tail);
        }

        private float Element(float v, float g, int i)
        {
            if (dy == null)
            {
                var p = Cdf(v);
                if (cdf != null) cdf[i] = p;
                return p == 0 ? 0 : v * p;
            }
            var phi = cdf != null ? cdf[i] : Cdf(v);
            var density = FloatExp.Of(v * v * -0.5f) * InvSqrt2Pi;
            return g * (phi + (density == 0 ? 0 : v * density));
        }
    }

    // Φ(x) = ½·erfc(−x/√2): ½·erfc(|u|) below 0, 1 − ½·erfc(|u|) above, u = x/√2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Cdf<TV>(TV x)
        where TV : unmanaged, ISimd<TV, float>
    {
        var half = TV.Create(0.5f) * Erfc(TV.Abs(x * TV.Create(InvSqrt2)));
        return TV.Select(TV.LessThan(x, TV.Zero), half, TV.One - half);
    }

    private static float Cdf(float x)
    {
        var half = 0.5f * Erfc(MathF.Abs(x * InvSqrt2));
        return x < 0 ? half : 1 - half;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Erfc<TV>(TV z)
        where TV : unmanaged, ISimd<TV, float>
    {
        var t = TV.One / (TV.One + TV.Create(0.5f) * z);
        var p = ((((((((TV.Create(P9) * t + TV.Create(P8)) * t + TV.Create(P7)) * t + TV.Create(P6)) * t + TV.Create(P5)) * t
            + TV.Create(P4)) * t + TV.Create(P3)) * t + TV.Create(P2)) * t + TV.Create(P1)) * t + TV.Create(P0);
        return t * FloatExp.Of(p - z * z);
    }

    private static float Erfc(float z)
    {
        var t = 1 / (1 + 0.5f * z);
        var p = ((((((((P9 * t + P8) * t + P7) * t + P6) * t + P5) * t + P4) * t + P3) * t + P2) * t + P1) * t + P0;
        return t * FloatExp.Of(p - z * z);
    }
}
