using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FunctionalNets.Kernels;

/// <summary>
/// Packing for <see cref="GemmBlocked"/>: copies a block of op(A) or op(B) into the order the micro-kernel reads,
/// reading A or B transposed when the flags say so, and pads partial slivers with zeros.
/// </summary>
/// <remarks>
/// A packed sliver is <c>dst[p·width + r]</c>, p &lt; kc, r &lt; width, and the packs may write up to one vector
/// (<see cref="Slack{T}"/> elements) past its end: vector stores of a 14-wide group spill into the next group,
/// which is written afterwards.
/// </remarks>
internal static unsafe class GemmPack
{
    /// <summary>Elements a packed sliver's buffer needs past <c>kc·width</c>.</summary>
    public static int Slack<T>() => Vector512<T>.Count;

    /// <summary>
    /// op(B)[pc..pc+kc, jc..jc+nc] into slivers of Nr columns: <c>bp[s·kc·Nr + p·Nr + j] = op(B)[pc+p, jc+s·Nr+j]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B<T>(T* b, T* bp, GemmShape s, int pc, int kc, int jc, int nc)
        where T : unmanaged, INumber<T>
    {
        var nr = GemmMicroKernel.Nr<T>();
        for (var j0 = 0; j0 < nc; j0 += nr, bp += kc * nr)
        {
            var cols = Math.Min(nr, nc - j0);
            if (s.TransB)
                Transposed(b + (nint)(jc + j0) * s.K + pc, s.K, cols, nr, kc, bp);
            else
                Straight(b + (nint)pc * s.N + jc + j0, s.N, cols, nr, kc, bp);
        }
    }

    /// <summary>
    /// The Mr-row sliver op(A)[ir..ir+rows, pc..pc+kc] as <c>ap[p·Mr + r] = op(A)[ir+r, pc+p]</c>, zero rows past
    /// <paramref name="rows"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A<T>(T* a, T* ap, GemmShape s, int ir, int rows, int pc, int kc)
        where T : unmanaged, INumber<T>
    {
        if (s.TransA)
            Straight(a + (nint)pc * s.M + ir, s.M, rows, GemmMicroKernel.Mr, kc, ap);
        else
            Transposed(a + (nint)ir * s.K + pc, s.K, rows, GemmMicroKernel.Mr, kc, ap);
    }

    // dst[p·width + r] = src[p·ld + r] for r < count, else 0: each p is a contiguous run of the source, copied as
    // one or two masked vectors (width ≤ 2 vectors; the second first, so a spill into the next group is overwritten;
    // nothing past count is read).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Straight<T>(T* src, nint ld, int count, int width, int kc, T* dst)
        where T : unmanaged, INumber<T>
    {
        var w = Vector512<T>.Count;
        var valid = Math.Min(count, width);
        var (mask0, mask1) = (GemmSimd.FirstLanes<T>(valid), GemmSimd.FirstLanes<T>(valid - w));
        var twoVectors = width > w;
        for (var p = 0; p < kc; p++, src += ld, dst += width)
        {
            if (twoVectors)
                GemmSimd.MaskLoad(src + w, mask1).Store(dst + w);
            GemmSimd.MaskLoad(src, mask0).Store(dst);
        }
    }

    // dst[p·width + r] = src[r·ld + p] for r < count, else 0: each r is a contiguous run, transposed in
    // Vector512-square blocks (chunks of rows highest first, so a spill into the next group is overwritten).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transposed<T>(T* src, nint ld, int count, int width, int kc, T* dst)
        where T : unmanaged, INumber<T>
    {
        var w = Vector512<T>.Count;
        for (var p = 0; p < kc; p += w)
            for (var r0 = (width - 1) / w * w; r0 >= 0; r0 -= w)
                TransposeBlock(src + r0 * ld + p, ld, count - r0, kc - p, dst + p * width + r0, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock<T>(T* src, nint ld, int rows, int cols, T* dst, nint stride)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            GemmTranspose.Block((float*)src, ld, rows, cols, (float*)dst, stride);
        else
            GemmTranspose.Block((double*)src, ld, rows, cols, (double*)dst, stride);
    }
}
