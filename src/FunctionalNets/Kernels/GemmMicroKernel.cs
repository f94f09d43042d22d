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
    /// is stored into C, or added to it when <paramref name="add"/>. C rows are <paramref name="ldc"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(T* a, T* b, int kc, T* c, nint ldc, bool add)
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
            c00 = Fma(ar, b0, c00);
            c01 = Fma(ar, b1, c01);
            ar = Vector512.Create(a[1]);
            c10 = Fma(ar, b0, c10);
            c11 = Fma(ar, b1, c11);
            ar = Vector512.Create(a[2]);
            c20 = Fma(ar, b0, c20);
            c21 = Fma(ar, b1, c21);
            ar = Vector512.Create(a[3]);
            c30 = Fma(ar, b0, c30);
            c31 = Fma(ar, b1, c31);
            ar = Vector512.Create(a[4]);
            c40 = Fma(ar, b0, c40);
            c41 = Fma(ar, b1, c41);
            ar = Vector512.Create(a[5]);
            c50 = Fma(ar, b0, c50);
            c51 = Fma(ar, b1, c51);
            ar = Vector512.Create(a[6]);
            c60 = Fma(ar, b0, c60);
            c61 = Fma(ar, b1, c61);
            ar = Vector512.Create(a[7]);
            c70 = Fma(ar, b0, c70);
            c71 = Fma(ar, b1, c71);
            ar = Vector512.Create(a[8]);
            c80 = Fma(ar, b0, c80);
            c81 = Fma(ar, b1, c81);
            ar = Vector512.Create(a[9]);
            c90 = Fma(ar, b0, c90);
            c91 = Fma(ar, b1, c91);
            ar = Vector512.Create(a[10]);
            c100 = Fma(ar, b0, c100);
            c101 = Fma(ar, b1, c101);
            ar = Vector512.Create(a[11]);
            c110 = Fma(ar, b0, c110);
            c111 = Fma(ar, b1, c111);
            ar = Vector512.Create(a[12]);
            c120 = Fma(ar, b0, c120);
            c121 = Fma(ar, b1, c121);
            ar = Vector512.Create(a[13]);
            c130 = Fma(ar, b0, c130);
            c131 = Fma(ar, b1, c131);
        }
        Store(c + 0 * ldc, c00, c01, add);
        Store(c + 1 * ldc, c10, c11, add);
        Store(c + 2 * ldc, c20, c21, add);
        Store(c + 3 * ldc, c30, c31, add);
        Store(c + 4 * ldc, c40, c41, add);
        Store(c + 5 * ldc, c50, c51, add);
        Store(c + 6 * ldc, c60, c61, add);
        Store(c + 7 * ldc, c70, c71, add);
        Store(c + 8 * ldc, c80, c81, add);
        Store(c + 9 * ldc, c90, c91, add);
        Store(c + 10 * ldc, c100, c101, add);
        Store(c + 11 * ldc, c110, c111, add);
        Store(c + 12 * ldc, c120, c121, add);
        Store(c + 13 * ldc, c130, c131, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> acc)
        where T : unmanaged, INumber<T> =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), acc.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), acc.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(T* c, Vector512<T> lo, Vector512<T> hi, bool add)
        where T : unmanaged, INumber<T>
    {
        if (add)
        {
            lo += Vector512.Load(c);
            hi += Vector512.Load(c + Vector512<T>.Count);
        }
        lo.Store(c);
        hi.Store(c + Vector512<T>.Count);
    }
}
