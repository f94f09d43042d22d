using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FunctionalNets.Kernels;

/// <summary>
/// Packing for <see cref="GemmBlocked"/> at one vector width: copies a block of op(A) or op(B) into the order that
/// width's micro-kernel reads, reading A or B transposed when the flags say so, and pads partial slivers with zeros.
/// Packing only moves elements, so how it is done never changes a result.
/// </summary>
/// <remarks>
/// A packed sliver is <c>dst[p·width + r]</c>, p &lt; kc, r &lt; width, and the packs may write up to one
/// Vector512 (<see cref="Slack{T}"/> elements) past its end: vector stores of a narrower group spill into the next
/// group, which is written afterwards.
/// </remarks>
internal static unsafe class GemmPack
{
    /// <summary>Elements a packed sliver's buffer needs past <c>kc·width</c>.</summary>
    public static int Slack<T>() => Vector512<T>.Count;

    /// <summary>
    /// op(B)[pc..pc+kc, jc..jc+nc] into slivers of Nr columns: <c>bp[s·kc·Nr + p·Nr + j] = op(B)[pc+p, jc+s·Nr+j]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B<TV, T>(T* b, T* bp, GemmShape s, int pc, int kc, int jc, int nc)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        if (!s.TransB)
        {
            AcrossSlivers<TV, T>(b + (nint)pc * s.StrideB + jc, s.StrideB, nc, kc, bp);
            return;
        }
        var nr = GemmMicroKernel.Nr<TV, T>();
        for (var j0 = 0; j0 < nc; j0 += nr, bp += kc * nr)
            Transposed<TV, T>(b + (nint)(jc + j0) * s.StrideB + pc, s.StrideB, Math.Min(nr, nc - j0), nr, kc, bp);
    }

    /// <summary>Elements from one packed A sliver of depth <paramref name="kc"/> to the next (see <see cref="A"/>).</summary>
    public static int ASliverStride<TV, T>(int kc)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged => kc * GemmMicroKernel.Mr<TV>() + Slack<T>();

    /// <summary>
    /// The Mr-row slivers of op(A)[ir..ir+rows, pc..pc+kc]: sliver t, at <c>ap + t·ASliverStride(kc)</c>, holds rows
    /// ir + t·Mr … as <c>ap[p·Mr + r] = op(A)[ir+t·Mr+r, pc+p]</c>, zero rows past <paramref name="rows"/>. A
    /// transposed A is packed in one pass over its kc rows for all the slivers, so each row's run is read once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void A<TV, T>(T* a, T* ap, GemmShape s, int ir, int rows, int pc, int kc)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        var (mr, stride) = (GemmMicroKernel.Mr<TV>(), ASliverStride<TV, T>(kc));
        if (s.TransA)
            AcrossTiles<TV, T>(a + (nint)pc * s.StrideA + ir, s.StrideA, rows, kc, ap, stride);
        else
            for (var t = 0; t * mr < rows; t++)
                Transposed<TV, T>(a + (nint)(ir + t * mr) * s.StrideA + pc, s.StrideA, rows - t * mr, mr, kc, ap + t * stride);
    }

    // The Nr-column slivers of a plain B, dst[t·kc·Nr + p·Nr + j] = src[p·ld + t·Nr + j] for t·Nr + j < count, else 0:
    // one pass along each of the kc rows, its run dealt out to every sliver in turn, rather than a sliver at a time
    // (one cache line from each of kc rows for every sliver): level to a few percent faster (docs/architecture.md).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AcrossSlivers<TV, T>(T* src, nint ld, int count, int kc, T* dst)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        var nr = GemmMicroKernel.Nr<TV, T>();
        var (whole, sliverStride) = (count / nr, (nint)kc * nr);
        var rest = count - whole * nr;
        for (var p = 0; p < kc; p++, src += ld, dst += nr)
        {
            T* from = src, to = dst;
            for (var t = 0; t < whole; t++, from += nr, to += sliverStride)
            {
                TV.Load(from).Store(to);
                TV.Load(from + TV.Count).Store(to + TV.Count);
            }
            if (rest > 0)
            {
                TV.LoadFirst(from, rest).Store(to);
                TV.LoadFirst(from + TV.Count, rest - TV.Count).Store(to + TV.Count);
            }
        }
    }

    // The slivers of a transposed A, dst[t·sliverStride + p·Mr + r] = src[p·ld + t·Mr + r] for t·Mr + r < count, else
    // 0: one pass over the kc runs, each copied into every sliver in turn. A tile whose groups all end inside the run
    // is copied with whole loads (lanes past Mr spill into the next p, written later, or past the last p into the
    // Slack gap between slivers); the masked load, about 40 % of the pack where every tile took it, only at the run's
    // end. Groups go highest first, so a spill into the next group is overwritten.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AcrossTiles<TV, T>(T* src, nint ld, int count, int kc, T* dst, nint sliverStride)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        var mr = GemmMicroKernel.Mr<TV>();
        var last = (mr - 1) / TV.Count * TV.Count;
        var tiles = (count + mr - 1) / mr;
        var whole = count >= last + TV.Count ? Math.Min(tiles, (count - last - TV.Count) / mr + 1) : 0;
        for (var p = 0; p < kc; p++, src += ld, dst += mr)
        {
            T* from = src, to = dst;
            for (var t = 0; t < whole; t++, from += mr, to += sliverStride)
                for (var r = last; r >= 0; r -= TV.Count)
                    TV.Load(from + r).Store(to + r);
            for (var t = whole; t < tiles; t++, from += mr, to += sliverStride)
                for (var r = last; r >= 0; r -= TV.Count)
                    TV.LoadFirst(from + r, Math.Min(count - t * mr, mr) - r).Store(to + r);
        }
    }

    // dst[p·width + r] = src[r·ld + p] for r < count, else 0: each r is a contiguous run, transposed in square
    // blocks of one vector a side (16×16 or 8×8 at 512 bits, 8×8 or 4×4 at 256 on x64, 4×4 or 2×2 of Vector128
    // otherwise; chunks of rows highest first, so a spill into the next group is overwritten).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transposed<TV, T>(T* src, nint ld, int count, int width, int kc, T* dst)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        var w = WholeVectorBlocks<TV>() ? TV.Count : Vector128<T>.Count;
        for (var p = 0; p < kc; p += w)
            for (var r0 = (width - 1) / w * w; r0 >= 0; r0 -= w)
                TransposeBlock<TV, T>(src + r0 * ld + p, ld, count - r0, kc - p, dst + p * width + r0, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock<TV, T>(T* src, nint ld, int rows, int cols, T* dst, nint stride)
        where TV : unmanaged
        where T : unmanaged
    {
        if (sizeof(TV) == 64 && Avx512F.IsSupported && typeof(T) == typeof(float))
            GemmTranspose.Block((float*)src, ld, rows, cols, (float*)dst, stride);
        else if (sizeof(TV) == 64 && Avx512F.IsSupported)
            GemmTranspose.Block((double*)src, ld, rows, cols, (double*)dst, stride);
        else if (WholeVectorBlocks<TV>() && typeof(T) == typeof(float))
            GemmTranspose.Block8((float*)src, ld, rows, cols, (float*)dst, stride);
        else if (WholeVectorBlocks<TV>())
            GemmTranspose.Block4((double*)src, ld, rows, cols, (double*)dst, stride);
        else if (typeof(T) == typeof(float))
            GemmTranspose.Block4((float*)src, ld, rows, cols, (float*)dst, stride);
        else
            GemmTranspose.Block2((double*)src, ld, rows, cols, (double*)dst, stride);
    }

    // Blocks of one TV a side: at 512 bits with AVX-512's shuffles (not where 512 is emulated: that takes the 128-bit
    // blocks), and at 256 where AVX's shuffles are there (x64; the 256-bit bodies run only where Vector256 is
    // accelerated, which on x64 means AVX2).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WholeVectorBlocks<TV>()
        where TV : unmanaged => (sizeof(TV) == 64 && Avx512F.IsSupported) || (sizeof(TV) == 32 && Avx.IsSupported);
}
