using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FunctionalNets.Kernels;

/// <summary>
/// Packing for <see cref="GemmBlocked"/>: copies a block of op(A) or op(B) into the order the micro-kernel reads,
/// reading A or B transposed when the flags say so, and pads partial slivers with zeros.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>
    /// op(B)[pc..pc+kc, jc..jc+nc] into slivers of Nr columns: <c>bp[s·kc·Nr + p·Nr + j] = op(B)[pc+p, jc+s·Nr+j]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void B<T>(T* b, T* bp, GemmShape s, int pc, int kc, int jc, int nc)
        where T : unmanaged, INumber<T>
    {
        var nr = GemmMicroKernel.Nr<T>();
        var w = Vector512<T>.Count;
        for (var j0 = 0; j0 < nc; j0 += nr, bp += kc * nr)
        {
            var cols = Math.Min(nr, nc - j0);
            if (!s.TransB && cols == nr)
            {
                var src = b + (nint)pc * s.N + jc + j0;
                for (var p = 0; p < kc; p++, src += s.N)
                {
                    Vector512.Load(src).Store(bp + p * nr);
                    Vector512.Load(src + w).Store(bp + p * nr + w);
                }
                continue;
            }
            for (var p = 0; p < kc; p++)
            {
                var dst = bp + p * nr;
                for (var j = 0; j < cols; j++)
                    dst[j] = s.TransB ? b[(nint)(jc + j0 + j) * s.K + pc + p] : b[(nint)(pc + p) * s.N + jc + j0 + j];
                for (var j = cols; j < nr; j++)
                    dst[j] = T.Zero;
            }
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
        const int mr = GemmMicroKernel.Mr;
        if (s.TransA)
            for (var p = 0; p < kc; p++)
            {
                var src = a + (nint)(pc + p) * s.M + ir;
                for (var r = 0; r < rows; r++)
                    ap[p * mr + r] = src[r];
            }
        else
            for (var r = 0; r < rows; r++)
            {
                var src = a + (nint)(ir + r) * s.K + pc;
                for (var p = 0; p < kc; p++)
                    ap[p * mr + r] = src[p];
            }
        for (var r = rows; r < mr; r++)
            for (var p = 0; p < kc; p++)
                ap[p * mr + r] = T.Zero;
    }
}
