using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FunctionalNets.Kernels;

/// <summary>
/// The register tile of <see cref="GemmBlocked"/>: an Mr×Nr block of C held in 2·Mr Vector512 accumulators, updated
/// for each p by broadcasting Mr packed elements of A against two vectors of packed B with fused multiply-adds.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>Rows of the register tile: 2·Mr accumulators + 2 B vectors + 1 broadcast fit the 32 zmm registers.</summary>
    public const int Mr = 14;

    /// <summary>Columns of the register tile: two vectors (32 floats or 16 doubles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Nr<T>() => 2 * Vector512<T>.Count;

    /// <summary>
    /// <c>C[i, j] (+)= Σ_p a[p·Mr + i]·b[p·Nr + j]</c> over p = 0 … kc−1 in order, each sum starting from zero; the sum
    /// is stored into C, or added to it when <paramref name="add"/>. C rows are <paramref name="ldc"/> apart, and only
    /// the top-left <paramref name="rows"/>×<paramref name="cols"/> corner of the tile is touched (masked stores at an edge).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(T* a, T* b, int kc, T* c, nint ldc, bool add, int rows, int cols)
        where T : unmanaged, INumber<T>
    {
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        Vector512<T> c120 = default, c121 = default;
        Vector512<T> c130 = default, c131 = default;
        for (var p = 0; p < kc; p++, a += Mr, b += 2 * Vector512<T>.Count)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + Vector512<T>.Count);
            Vector512<T> ar;
            ar = Vector512.Create(a[0]);
            c00 = GemmSimd.Fma(ar, b0, c00);
            c01 = GemmSimd.Fma(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = GemmSimd.Fma(ar, b0, c10);
            c11 = GemmSimd.Fma(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = GemmSimd.Fma(ar, b0, c20);
            c21 = GemmSimd.Fma(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = GemmSimd.Fma(ar, b0, c30);
            c31 = GemmSimd.Fma(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = GemmSimd.Fma(ar, b0, c40);
            c41 = GemmSimd.Fma(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = GemmSimd.Fma(ar, b0, c50);
            c51 = GemmSimd.Fma(ar, b1, c51);
            ar = Vector512.Create(a[6]);
            c60 = GemmSimd.Fma(ar, b0, c60);
            c61 = GemmSimd.Fma(ar, b1, c61);
            ar = Vector512.Create(a[7]);
            c70 = GemmSimd.Fma(ar, b0, c70);
            c71 = GemmSimd.Fma(ar, b1, c71);
            ar = Vector512.Create(a[8]);
            c80 = GemmSimd.Fma(ar, b0, c80);
            c81 = GemmSimd.Fma(ar, b1, c81);
            ar = Vector512.Create(a[9]);
            c90 = GemmSimd.Fma(ar, b0, c90);
            c91 = GemmSimd.Fma(ar, b1, c91);
            ar = Vector512.Create(a[10]);
            c100 = GemmSimd.Fma(ar, b0, c100);
            c101 = GemmSimd.Fma(ar, b1, c101);
            ar = Vector512.Create(a[11]);
            c110 = GemmSimd.Fma(ar, b0, c110);
            c111 = GemmSimd.Fma(ar, b1, c111);
            ar = Vector512.Create(a[12]);
            c120 = GemmSimd.Fma(ar, b0, c120);
            c121 = GemmSimd.Fma(ar, b1, c121);
            ar = Vector512.Create(a[13]);
            c130 = GemmSimd.Fma(ar, b0, c130);
            c131 = GemmSimd.Fma(ar, b1, c131);
        }
        var (lo, hi) = (GemmSimd.FirstLanes<T>(cols), GemmSimd.FirstLanes<T>(cols - Vector512<T>.Count));
        Store(c, c00, c01, add, lo, hi);
        if (rows > 1) Store(c + 1 * ldc, c10, c11, add, lo, hi);
        if (rows > 2) Store(c + 2 * ldc, c20, c21, add, lo, hi);
        if (rows > 3) Store(c + 3 * ldc, c30, c31, add, lo, hi);
        if (rows > 4) Store(c + 4 * ldc, c40, c41, add, lo, hi);
        if (rows > 5) Store(c + 5 * ldc, c50, c51, add, lo, hi);
        if (rows > 6) Store(c + 6 * ldc, c60, c61, add, lo, hi);
        if (rows > 7) Store(c + 7 * ldc, c70, c71, add, lo, hi);
        if (rows > 8) Store(c + 8 * ldc, c80, c81, add, lo, hi);
        if (rows > 9) Store(c + 9 * ldc, c90, c91, add, lo, hi);
        if (rows > 10) Store(c + 10 * ldc, c100, c101, add, lo, hi);
        if (rows > 11) Store(c + 11 * ldc, c110, c111, add, lo, hi);
        if (rows > 12) Store(c + 12 * ldc, c120, c121, add, lo, hi);
        if (rows > 13) Store(c + 13 * ldc, c130, c131, add, lo, hi);
    }

    // One tile row: the lanes under the masks are stored, or added to C (masked loads never touch C past the edge).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, Vector512<T> x0, Vector512<T> x1, bool add, Vector512<T> lo, Vector512<T> hi)
        where T : unmanaged, INumber<T>
    {
        var c1 = c + Vector512<T>.Count;
        if (add)
        {
            x0 += GemmSimd.MaskLoad(c, lo);
            x1 += GemmSimd.MaskLoad(c1, hi);
        }
        GemmSimd.MaskStore(c, lo, x0);
        GemmSimd.MaskStore(c1, hi, x1);
    }
}
