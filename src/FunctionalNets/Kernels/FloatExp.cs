using System.Runtime.CompilerServices;

namespace FunctionalNets.Kernels;

/// <summary>
/// <c>e^a</c> for float a ≤ 88 in plain IEEE operations (add, multiply, exponent assembly; no fused multiply-add,
/// whose presence differs between machines), so the scalar form and every vector width give the same bits on every
/// machine: the exponentials of the exact GELU and of softmax's shifted rows.
/// </summary>
/// <remarks>
/// <c>e^a = 2^k·e^r</c>, k = round(a/ln 2), r = a − k·ln2Hi − k·ln2Lo (k·ln2Hi is exact for |k| &lt; 2⁸: ln2Hi has 8
/// trailing zero bits); e^r by its Taylor series to r⁷/7! (|r| ≤ ln2/2: truncation below 5·10⁻⁹, under a float
/// ulp), within about 2 float ulps in all. Below −87, where e^a nears the smallest normal float (e^−87.3), the
/// result is 0; a NaN stays NaN.
/// </remarks>
internal static class FloatExp
{
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.42860682e-6f;
    private const float Floor = -87;

    // Integer tricks in plain IEEE arithmetic, so vector and scalar code agree without conversion instructions:
    // (v + 1.5·2²³) − 1.5·2²³ rounds v to the nearest integer (ties to even) for |v| < 2²², and the bits of
    // k + 127 + 2²³ end in the integer k + 127, which shifted left by 23 is the exponent field of 2^k.
    private const float RoundMagic = 12582912f;
    private const float ExponentMagic = 8388608f + 127;

    // e^r ≈ 1 + r + r²/2 + … + r⁷/7!, by Horner's rule from the highest power down.
    private const float E7 = 1f / 5040, E6 = 1f / 720, E5 = 1f / 120, E4 = 1f / 24, E3 = 1f / 6, E2 = 0.5f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Of<TV>(TV a)
        where TV : unmanaged, ISimd<TV, float>
    {
        var under = TV.LessThan(a, TV.Create(Floor));
        var clamped = TV.Max(a, TV.Create(Floor));
        var k = clamped * TV.Create(Log2E) + TV.Create(RoundMagic) - TV.Create(RoundMagic);
        var r = clamped - k * TV.Create(Ln2Hi) - k * TV.Create(Ln2Lo);
        var p = ((((((TV.Create(E7) * r + TV.Create(E6)) * r + TV.Create(E5)) * r + TV.Create(E4)) * r + TV.Create(E3)) * r
            + TV.Create(E2)) * r + TV.One) * r + TV.One;
        var scale = TV.ShiftBitsLeft(k + TV.Create(ExponentMagic), 23);
        return TV.Select(under, TV.Zero, p * scale);
    }

    public static float Of(float a)
    {
        if (a < Floor) return 0;
        var k = a * Log2E + RoundMagic - RoundMagic;
        var r = a - k * Ln2Hi - k * Ln2Lo;
        var p = ((((((E7 * r + E6) * r + E5) * r + E4) * r + E3) * r + E2) * r + 1) * r + 1;
        return p * BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(k + ExponentMagic) << 23);
    }
}
