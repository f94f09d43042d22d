using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FunctionalNets.Kernels;

/// <summary>
/// In-register transposes of one Vector512-square block for the transposing packs of <see cref="GemmPack"/>:
/// 16×16 floats or 8×8 doubles, by interleaving rows within 128-bit lanes and then shuffling whole lanes.
/// </summary>
internal static unsafe class GemmTranspose
{
    /// <summary>
    /// Reads the first <paramref name="cols"/> elements of rows r = 0 … W−1 (W = 16) of <c>src + r·ld</c>, treating rows
    /// ≥ <paramref name="rows"/> and columns ≥ cols as zeros, and stores column p of that block as the vector
    /// <c>dst + p·stride</c>, for p = 0 … cols−1 in increasing order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(float* src, nint ld, int rows, int cols, float* dst, nint stride)
    {
        var mask = GemmSimd.FirstLanes<float>(cols);
        // Stage 1 and 2: within each 128-bit lane L, bq of group j holds rows 4j…4j+3 of column 4L+q.
        var (b0, b1, b2, b3) = Interleave4(Row(src, ld, 0, rows, mask), Row(src, ld, 1, rows, mask), Row(src, ld, 2, rows, mask), Row(src, ld, 3, rows, mask));
        var (b4, b5, b6, b7) = Interleave4(Row(src, ld, 4, rows, mask), Row(src, ld, 5, rows, mask), Row(src, ld, 6, rows, mask), Row(src, ld, 7, rows, mask));
        var (b8, b9, b10, b11) = Interleave4(Row(src, ld, 8, rows, mask), Row(src, ld, 9, rows, mask), Row(src, ld, 10, rows, mask), Row(src, ld, 11, rows, mask));
        var (b12, b13, b14, b15) = Interleave4(Row(src, ld, 12, rows, mask), Row(src, ld, 13, rows, mask), Row(src, ld, 14, rows, mask), Row(src, ld, 15, rows, mask));
        // Stage 3 and 4: lane L of the four groups' bq is column 4L+q.
        var (p0, p4, p8, p12) = Lanes(b0.AsDouble(), b4.AsDouble(), b8.AsDouble(), b12.AsDouble());
        var (p1, p5, p9, p13) = Lanes(b1.AsDouble(), b5.AsDouble(), b9.AsDouble(), b13.AsDouble());
        var (p2, p6, p10, p14) = Lanes(b2.AsDouble(), b6.AsDouble(), b10.AsDouble(), b14.AsDouble());
        var (p3, p7, p11, p15) = Lanes(b3.AsDouble(), b7.AsDouble(), b11.AsDouble(), b15.AsDouble());
        // In column order: with stride < 16 a store spills into the next column, which then overwrites it.
        Store(dst, stride, cols, 0, p0, p1, p2, p3);
        Store(dst, stride, cols, 4, p4, p5, p6, p7);
        Store(dst, stride, cols, 8, p8, p9, p10, p11);
        Store(dst, stride, cols, 12, p12, p13, p14, p15);
    }

    /// <summary>The double version of <see cref="Block(float*, nint, int, int, float*, nint)"/>: an 8×8 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block(double* src, nint ld, int rows, int cols, double* dst, nint stride)
    {
        var mask = GemmSimd.FirstLanes<double>(cols);
        // Stage 1: within each 128-bit lane L, aq of pair j holds rows 2j, 2j+1 of column 2L+q.
        var (a0, a1) = Interleave2(Row(src, ld, 0, rows, mask), Row(src, ld, 1, rows, mask));
        var (a2, a3) = Interleave2(Row(src, ld, 2, rows, mask), Row(src, ld, 3, rows, mask));
        var (a4, a5) = Interleave2(Row(src, ld, 4, rows, mask), Row(src, ld, 5, rows, mask));
        var (a6, a7) = Interleave2(Row(src, ld, 6, rows, mask), Row(src, ld, 7, rows, mask));
        // Stage 2 and 3: lane L of the four pairs' aq is column 2L+q.
        var (p0, p2, p4, p6) = Lanes(a0, a2, a4, a6);
        var (p1, p3, p5, p7) = Lanes(a1, a3, a5, a7);
        Store(dst, stride, cols, 0, p0, p1, p2, p3);
        Store(dst, stride, cols, 4, p4, p5, p6, p7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Row<T>(T* src, nint ld, int r, int rows, Vector512<T> mask)
        where T : unmanaged => r < rows ? GemmSimd.MaskLoad(src + r * ld, mask) : Vector512<T>.Zero;

    // Four rows → per lane, 4×4 transposed: 32-bit interleave, then 64-bit interleave.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>, Vector512<float>, Vector512<float>) Interleave4(
        Vector512<float> r0, Vector512<float> r1, Vector512<float> r2, Vector512<float> r3)
    {
        var (t0, t1) = (Avx512F.UnpackLow(r0, r1).AsDouble(), Avx512F.UnpackHigh(r0, r1).AsDouble());
        var (t2, t3) = (Avx512F.UnpackLow(r2, r3).AsDouble(), Avx512F.UnpackHigh(r2, r3).AsDouble());
        return (Avx512F.UnpackLow(t0, t2).AsSingle(), Avx512F.UnpackHigh(t0, t2).AsSingle(),
                Avx512F.UnpackLow(t1, t3).AsSingle(), Avx512F.UnpackHigh(t1, t3).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double>, Vector512<double>) Interleave2(Vector512<double> r0, Vector512<double> r1) =>
        (Avx512F.UnpackLow(r0, r1), Avx512F.UnpackHigh(r0, r1));

    // Lane L of x0…x3 concatenated, for L = 0 … 3: whole 128-bit lanes move, whatever the element type.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double>, Vector512<double>, Vector512<double>, Vector512<double>) Lanes(
        Vector512<double> x0, Vector512<double> x1, Vector512<double> x2, Vector512<double> x3)
    {
        var (c0, c1) = (Avx512F.Shuffle4x128(x0, x1, 0x88), Avx512F.Shuffle4x128(x0, x1, 0xDD)); // lanes 0,2 | 1,3
        var (c2, c3) = (Avx512F.Shuffle4x128(x2, x3, 0x88), Avx512F.Shuffle4x128(x2, x3, 0xDD));
        return (Avx512F.Shuffle4x128(c0, c2, 0x88), Avx512F.Shuffle4x128(c1, c3, 0x88),
                Avx512F.Shuffle4x128(c0, c2, 0xDD), Avx512F.Shuffle4x128(c1, c3, 0xDD));
    }

    // Columns first … first+3 that are below cols, in that order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* dst, nint stride, int cols, int first,
        Vector512<double> x0, Vector512<double> x1, Vector512<double> x2, Vector512<double> x3)
        where T : unmanaged
    {
        if (first < cols) x0.As<double, T>().Store(dst + first * stride);
        if (first + 1 < cols) x1.As<double, T>().Store(dst + (first + 1) * stride);
        if (first + 2 < cols) x2.As<double, T>().Store(dst + (first + 2) * stride);
        if (first + 3 < cols) x3.As<double, T>().Store(dst + (first + 3) * stride);
    }
}
