using System.Numerics;

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
/// Same bits on every machine: the vector bodies and the scalar tail perform the same IEEE operations in the same
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

    // exp(a) = 2^k·e^r, k = round(a/ln 2), r = a − k·ln2Hi − k·ln2Lo (k·ln2Hi is exact for |k| < 2⁸: ln2Hi has 8
    // trailing zero bits); e^r by its Taylor series to r⁷/7! (|r| ≤ ln2/2: truncation below 5·10⁻⁹, under a float ulp).
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.42860682e-6f;
    private const float ExpFloor = -87; // the smallest normal float is e^−87.3; below the floor exp returns 0

    // Integer tricks in plain IEEE arithmetic, so vector and scalar code agree without conversion instructions:
    // (v + 1.5·2²³) − 1.5·2²³ rounds v to the nearest integer (ties to even) for |v| < 2²², and the bits of
    // k + 127 + 2²³ end in the integer k + 127, which shifted left by 23 is the exponent field of 2^k.
    private const float RoundMagic = 12582912f;
    private const float ExponentMagic = 8388608f + 127;

    private static readonly float[] ExpTaylor = [1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1, 1];

    // erfc(z) ≈ t·exp(−z² + P(t)) for z ≥ 0, P's coefficients from the highest power down.
    private static readonly float[] ErfcPoly =
        [0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f, -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f];

    /// <summary><c>y = x·Φ(x)</c> (0 where Φ(x) is 0, so −∞ gives 0).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        fixed (float* px = x, py = y)
            Partition.For(Chunks(x.Length), Chunk * Cost, new Pass(px, null, py, x.Length));
    }

    /// <summary><c>dx = dy·(Φ(x) + x·φ(x))</c> (the x·φ term 0 where φ(x) is 0).</summary>
    public static void Vjp(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        fixed (float* px = x, pdy = dy, pdx = dx)
            Partition.For(Chunks(x.Length), Chunk * Cost, new Pass(px, pdy, pdx, x.Length));
    }

    private static int Chunks(int n) => (n + Chunk - 1) / Chunk;

    /// <summary>Chunks [start, end): the forward pass when <c>dy</c> is null, else the VJP.</summary>
    private readonly struct Pass(float* x, float* dy, float* output, int n) : IRangeBody
    {
        public void Run(int start, int end)
        {
            var (from, to) = (start * Chunk, Math.Min(n, end * Chunk));
            var i = from;
            for (; i + Vector<float>.Count <= to; i += Vector<float>.Count)
                Element(Vector.Load(x + i), dy == null ? default : Vector.Load(dy + i)).Store(output + i);
            for (; i < to; i++)
                output[i] = Element(x[i], dy == null ? 0 : dy[i]);
        }

        private Vector<float> Element(Vector<float> v, Vector<float> g)
        {
            var phi = Cdf(v);
            if (dy == null) return Vector.ConditionalSelect(Vector.Equals(phi, Vector<float>.Zero), Vector<float>.Zero, v * phi);
            var density = Exp(v * v * new Vector<float>(-0.5f)) * new Vector<float>(InvSqrt2Pi);
            var tail = Vector.ConditionalSelect(Vector.Equals(density, Vector<float>.Zero), Vector<float>.Zero, v * density);
            return g * (phi + tail);
        }

        private float Element(float v, float g)
        {
            var phi = Cdf(v);
            if (dy == null) return phi == 0 ? 0 : v * phi;
            var density = Exp(v * v * -0.5f) * InvSqrt2Pi;
            return g * (phi + (density == 0 ? 0 : v * density));
        }
    }

    // Φ(x) = ½·erfc(−x/√2): ½·erfc(|u|) below 0, 1 − ½·erfc(|u|) above, u = x/√2.
    private static Vector<float> Cdf(Vector<float> x)
    {
        var half = new Vector<float>(0.5f) * Erfc(Vector.Abs(x * new Vector<float>(InvSqrt2)));
        return Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), half, Vector<float>.One - half);
    }

    private static float Cdf(float x)
    {
        var half = 0.5f * Erfc(MathF.Abs(x * InvSqrt2));
        return x < 0 ? half : 1 - half;
    }

    private static Vector<float> Erfc(Vector<float> z)
    {
        var t = Vector<float>.One / (Vector<float>.One + new Vector<float>(0.5f) * z);
        var p = new Vector<float>(ErfcPoly[0]);
        for (var c = 1; c < ErfcPoly.Length; c++) p = p * t + new Vector<float>(ErfcPoly[c]);
        return t * Exp(p - z * z);
    }

    private static float Erfc(float z)
    {
        var t = 1 / (1 + 0.5f * z);
        var p = ErfcPoly[0];
        for (var c = 1; c < ErfcPoly.Length; c++) p = p * t + ErfcPoly[c];
        return t * Exp(p - z * z);
    }

    private static Vector<float> Exp(Vector<float> a)
    {
        var under = Vector.LessThan(a, new Vector<float>(ExpFloor));
        var clamped = Vector.Max(a, new Vector<float>(ExpFloor));
        var k = clamped * new Vector<float>(Log2E) + new Vector<float>(RoundMagic) - new Vector<float>(RoundMagic);
        var r = clamped - k * new Vector<float>(Ln2Hi) - k * new Vector<float>(Ln2Lo);
        var p = new Vector<float>(ExpTaylor[0]);
        for (var c = 1; c < ExpTaylor.Length; c++) p = p * r + new Vector<float>(ExpTaylor[c]);
        var scale = Vector.AsVectorSingle(Vector.ShiftLeft(Vector.AsVectorInt32(k + new Vector<float>(ExponentMagic)), 23));
        return Vector.ConditionalSelect(under, Vector<float>.Zero, p * scale);
    }

    private static float Exp(float a)
    {
        if (a < ExpFloor) return 0;
        var k = a * Log2E + RoundMagic - RoundMagic;
        var r = a - k * Ln2Hi - k * Ln2Lo;
        var p = ExpTaylor[0];
        for (var c = 1; c < ExpTaylor.Length; c++) p = p * r + ExpTaylor[c];
        return p * BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(k + ExponentMagic) << 23);
    }
}
