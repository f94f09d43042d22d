using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FunctionalNets.Kernels;

/// <summary>
/// In-register transposes of one square block for the transposing packs of <see cref="GemmPack"/>: at 512 bits a
/// Vector512 square (16×16 floats or 8×8 doubles) by interleaving rows within 128-bit lanes and then shuffling whole
/// lanes; at 256 bits on x64 a Vector256 square (8×8 floats or 4×4 doubles) the same way with AVX's shuffles; at 128
/// bits a Vector128 square (4×4 floats or 2×2 doubles) with the cross-platform API only, so ARM64 runs the same code.
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
        // Stage 1 and 2: within each 128-bit lane L, bq of group j holds rows 4j…4j+3 of column 4L+q.
        var (b0, b1, b2, b3) = Interleave4(Row(src, ld, 0, rows, cols), Row(src, ld, 1, rows, cols), Row(src, ld, 2, rows, cols), Row(src, ld, 3, rows, cols));
        var (b4, b5, b6, b7) = Interleave4(Row(src, ld, 4, rows, cols), Row(src, ld, 5, rows, cols), Row(src, ld, 6, rows, cols), Row(src, ld, 7, rows, cols));
        var (b8, b9, b10, b11) = Interleave4(Row(src, ld, 8, rows, cols), Row(src, ld, 9, rows, cols), Row(src, ld, 10, rows, cols), Row(src, ld, 11, rows, cols));
        var (b12, b13, b14, b15) = Interleave4(Row(src, ld, 12, rows, cols), Row(src, ld, 13, rows, cols), Row(src, ld, 14, rows, cols), Row(src, ld, 15, rows, cols));
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
        // Stage 1: within each 128-bit lane L, aq of pair j holds rows 2j, 2j+1 of column 2L+q.
        var (a0, a1) = Interleave2(Row(src, ld, 0, rows, cols), Row(src, ld, 1, rows, cols));
        var (a2, a3) = Interleave2(Row(src, ld, 2, rows, cols), Row(src, ld, 3, rows, cols));
        var (a4, a5) = Interleave2(Row(src, ld, 4, rows, cols), Row(src, ld, 5, rows, cols));
        var (a6, a7) = Interleave2(Row(src, ld, 6, rows, cols), Row(src, ld, 7, rows, cols));
        // Stage 2 and 3: lane L of the four pairs' aq is column 2L+q.
        var (p0, p2, p4, p6) = Lanes(a0, a2, a4, a6);
        var (p1, p3, p5, p7) = Lanes(a1, a3, a5, a7);
        Store(dst, stride, cols, 0, p0, p1, p2, p3);
        Store(dst, stride, cols, 4, p4, p5, p6, p7);
    }

    // Row r of a block one TV wide: a whole vector when every column is there, else the first cols lanes; zeros for
    // rows ≥ rows.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Row<TV, T>(T* src, nint ld, int r, int rows, int cols)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged =>
        r >= rows ? TV.Zero : cols >= TV.Count ? TV.Load(src + r * ld) : TV.LoadFirst(src + r * ld, cols);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Row<T>(T* src, nint ld, int r, int rows, int cols)
        where T : unmanaged => Row<V512<T>, T>(src, ld, r, rows, cols).Value;

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

    /// <summary>
    /// The 8×8 float block of <see cref="Block(float*, nint, int, int, float*, nint)"/> in Vector256 (AVX): rows
    /// r &lt; 8 of <c>src + r·ld</c> (rows ≥ <paramref name="rows"/> and columns ≥ <paramref name="cols"/> as zeros),
    /// column p stored as the Vector256 <c>dst + p·stride</c> for p = 0 … min(cols, 8)−1 in increasing order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block8(float* src, nint ld, int rows, int cols, float* dst, nint stride)
    {
        // Within each 128-bit lane L, cq of a group holds its four rows of column 4L+q.
        var (c0, c1, c2, c3) = Interleave4(Row8(src, ld, 0, rows, cols), Row8(src, ld, 1, rows, cols), Row8(src, ld, 2, rows, cols), Row8(src, ld, 3, rows, cols));
        var (c4, c5, c6, c7) = Interleave4(Row8(src, ld, 4, rows, cols), Row8(src, ld, 5, rows, cols), Row8(src, ld, 6, rows, cols), Row8(src, ld, 7, rows, cols));
        // Column q is the low lanes of the two groups' cq, column 4+q their high lanes.
        Store8(dst, stride, cols, 0, Avx.Permute2x128(c0, c4, 0x20));
        Store8(dst, stride, cols, 1, Avx.Permute2x128(c1, c5, 0x20));
        Store8(dst, stride, cols, 2, Avx.Permute2x128(c2, c6, 0x20));
        Store8(dst, stride, cols, 3, Avx.Permute2x128(c3, c7, 0x20));
        Store8(dst, stride, cols, 4, Avx.Permute2x128(c0, c4, 0x31));
        Store8(dst, stride, cols, 5, Avx.Permute2x128(c1, c5, 0x31));
        Store8(dst, stride, cols, 6, Avx.Permute2x128(c2, c6, 0x31));
        Store8(dst, stride, cols, 7, Avx.Permute2x128(c3, c7, 0x31));
    }

    /// <summary>The double version of <see cref="Block8"/>: a 4×4 block in Vector256 (AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block4(double* src, nint ld, int rows, int cols, double* dst, nint stride)
    {
        var (r0, r1, r2, r3) = (Row8(src, ld, 0, rows, cols), Row8(src, ld, 1, rows, cols), Row8(src, ld, 2, rows, cols), Row8(src, ld, 3, rows, cols));
        // Within each 128-bit lane L: t0 holds rows 0, 1 of column 2L, t1 of column 2L+1; t2 and t3 rows 2, 3.
        var (t0, t1) = (Avx.UnpackLow(r0, r1), Avx.UnpackHigh(r0, r1));
        var (t2, t3) = (Avx.UnpackLow(r2, r3), Avx.UnpackHigh(r2, r3));
        Store8(dst, stride, cols, 0, Avx.Permute2x128(t0, t2, 0x20));
        Store8(dst, stride, cols, 1, Avx.Permute2x128(t1, t3, 0x20));
        Store8(dst, stride, cols, 2, Avx.Permute2x128(t0, t2, 0x31));
        Store8(dst, stride, cols, 3, Avx.Permute2x128(t1, t3, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Row8<T>(T* src, nint ld, int r, int rows, int cols)
        where T : unmanaged => Row<V256<T>, T>(src, ld, r, rows, cols).Value;

    // Four rows → per lane, 4×4 transposed: 32-bit interleave, then 64-bit interleave.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) Interleave4(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3)
    {
        var (t0, t1) = (Avx.UnpackLow(r0, r1).AsDouble(), Avx.UnpackHigh(r0, r1).AsDouble());
        var (t2, t3) = (Avx.UnpackLow(r2, r3).AsDouble(), Avx.UnpackHigh(r2, r3).AsDouble());
        return (Avx.UnpackLow(t0, t2).AsSingle(), Avx.UnpackHigh(t0, t2).AsSingle(),
                Avx.UnpackLow(t1, t3).AsSingle(), Avx.UnpackHigh(t1, t3).AsSingle());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8<T>(T* dst, nint stride, int cols, int p, Vector256<T> column)
        where T : unmanaged
    {
        if (p < cols) column.Store(dst + p * stride);
    }

    /// <summary>
    /// The 4×4 float block of <see cref="Block(float*, nint, int, int, float*, nint)"/>: rows r &lt; 4 of
    /// <c>src + r·ld</c> (rows ≥ <paramref name="rows"/> and columns ≥ <paramref name="cols"/> as zeros), column p
    /// stored as the Vector128 <c>dst + p·stride</c> for p = 0 … min(cols, 4)−1 in increasing order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block4(float* src, nint ld, int rows, int cols, float* dst, nint stride)
    {
        var (r0, r1, r2, r3) = (Row4(src, ld, 0, rows, cols), Row4(src, ld, 1, rows, cols), Row4(src, ld, 2, rows, cols), Row4(src, ld, 3, rows, cols));
        // Pairs of columns move as one 64-bit element: a = r0[0,1] r1[0,1], c = r0[2,3] r1[2,3], b and d from r2, r3.
        var (a, b) = (Pair(r0, r1, 0), Pair(r2, r3, 0));
        var (c, d) = (Pair(r0, r1, 1), Pair(r2, r3, 1));
        // Within each: r0[0] r1[0] r0[1] r1[1], so one more pairing gives whole columns.
        var order = Vector128.Create(0, 2, 1, 3);
        (a, b, c, d) = (Vector128.Shuffle(a, order), Vector128.Shuffle(b, order), Vector128.Shuffle(c, order), Vector128.Shuffle(d, order));
        Store4(dst, stride, cols, 0, Pair(a, b, 0));
        Store4(dst, stride, cols, 1, Pair(a, b, 1));
        Store4(dst, stride, cols, 2, Pair(c, d, 0));
        Store4(dst, stride, cols, 3, Pair(c, d, 1));
    }

    /// <summary>The 2×2 double block: columns <c>(r0[p], r1[p])</c> stored at <c>dst + p·stride</c> for p &lt; min(cols, 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Block2(double* src, nint ld, int rows, int cols, double* dst, nint stride)
    {
        var (r0, r1) = (Row4(src, ld, 0, rows, cols), Row4(src, ld, 1, rows, cols));
        Store4(dst, stride, cols, 0, Vector128.Create(r0.ToScalar(), r1.ToScalar()));
        Store4(dst, stride, cols, 1, Vector128.Create(r0.GetElement(1), r1.GetElement(1)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Row4<T>(T* src, nint ld, int r, int rows, int cols)
        where T : unmanaged => Row<V128<T>, T>(src, ld, r, rows, cols).Value;

    // The 64-bit element `half` of x, then of y.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Pair(Vector128<float> x, Vector128<float> y, int half) =>
        Vector128.Create(x.AsDouble().GetElement(half), y.AsDouble().GetElement(half)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4<T>(T* dst, nint stride, int cols, int p, Vector128<T> column)
        where T : unmanaged
    {
        if (p < cols) column.Store(dst + p * stride);
    }
}
