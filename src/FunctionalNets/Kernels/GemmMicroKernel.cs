using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace FunctionalNets.Kernels;

/// <summary>
/// The register tile of <see cref="GemmBlocked"/> at one vector width: an Mr×Nr block of C held in 2·Mr vector
/// accumulators, updated for each p by broadcasting Mr packed elements of A against two vectors of packed B with
/// fused multiply-adds. The tile's shape follows the width's register file; what each element of C computes does not.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>
    /// Rows of the register tile: 2·Mr accumulators + 2 B vectors + 1 broadcast fit the registers, so 14 rows on
    /// AVX-512 (32 zmm), 6 on AVX2 (16 ymm), and at 128 bits 8 rows where there are 32 registers (NEON; x64 with
    /// AVX-512's 32 xmm) or 6 where there are 16 (x64 without AVX-512).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Mr<TV>()
        where TV : unmanaged => sizeof(TV) == 64 ? 14 : sizeof(TV) == 32 ? 6 : AdvSimd.IsSupported || Avx512F.VL.IsSupported ? 8 : 6;

    /// <summary>Columns of the register tile: two vectors (32, 16 or 8 floats; half as many doubles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Nr<TV, T>()
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged => 2 * TV.Count;

    /// <summary>
    /// <c>C[i, j] (+)= Σ_p a[p·Mr + i]·b[p·Nr + j]</c> over p = 0 … kc−1 in order, each sum a chain of fused
    /// multiply-adds starting from zero; the sum is stored into C, or added to it (sum + C) when <paramref name="add"/>.
    /// C rows are <paramref name="ldc"/> apart, and only the top-left <paramref name="rows"/>×<paramref name="cols"/>
    /// corner of the tile is touched (partial stores at an edge).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TV, T>(T* a, T* b, int kc, T* c, nint ldc, bool add, int rows, int cols)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        // Rows at or past Mr<TV>() are constant-false branches: the JIT drops them and their accumulators.
        TV c00 = TV.Zero, c01 = TV.Zero;
        TV c10 = TV.Zero, c11 = TV.Zero;
        TV c20 = TV.Zero, c21 = TV.Zero;
        TV c30 = TV.Zero, c31 = TV.Zero;
        TV c40 = TV.Zero, c41 = TV.Zero;
        TV c50 = TV.Zero, c51 = TV.Zero;
        TV c60 = TV.Zero, c61 = TV.Zero;
        TV c70 = TV.Zero, c71 = TV.Zero;
        TV c80 = TV.Zero, c81 = TV.Zero;
        TV c90 = TV.Zero, c91 = TV.Zero;
        TV c100 = TV.Zero, c101 = TV.Zero;
        TV c110 = TV.Zero, c111 = TV.Zero;
        TV c120 = TV.Zero, c121 = TV.Zero;
        TV c130 = TV.Zero, c131 = TV.Zero;
        for (var p = 0; p < kc; p++, a += Mr<TV>(), b += 2 * TV.Count)
        {
            var b0 = TV.Load(b);
            var b1 = TV.Load(b + TV.Count);
            TV ar;
            ar = TV.Create(a[0]);
            c00 = TV.Fma(ar, b0, c00);
            c01 = TV.Fma(ar, b1, c01);
            if (Mr<TV>() > 1)
            {
                ar = TV.Create(a[1]);
                c10 = TV.Fma(ar, b0, c10);
                c11 = TV.Fma(ar, b1, c11);
            }
            if (Mr<TV>() > 2)
            {
                ar = TV.Create(a[2]);
                c20 = TV.Fma(ar, b0, c20);
                c21 = TV.Fma(ar, b1, c21);
            }
            if (Mr<TV>() > 3)
            {
                ar = TV.Create(a[3]);
                c30 = TV.Fma(ar, b0, c30);
                c31 = TV.Fma(ar, b1, c31);
            }
            if (Mr<TV>() > 4)
            {
                ar = TV.Create(a[4]);
                c40 = TV.Fma(ar, b0, c40);
                c41 = TV.Fma(ar, b1, c41);
            }
            if (Mr<TV>() > 5)
            {
                ar = TV.Create(a[5]);
                c50 = TV.Fma(ar, b0, c50);
                c51 = TV.Fma(ar, b1, c51);
            }
            if (Mr<TV>() > 6)
            {
                ar = TV.Create(a[6]);
                c60 = TV.Fma(ar, b0, c60);
                c61 = TV.Fma(ar, b1, c61);
            }
            if (Mr<TV>() > 7)
            {
                ar = TV.Create(a[7]);
                c70 = TV.Fma(ar, b0, c70);
                c71 = TV.Fma(ar, b1, c71);
            }
            if (Mr<TV>() > 8)
            {
                ar = TV.Create(a[8]);
                c80 = TV.Fma(ar, b0, c80);
                c81 = TV.Fma(ar, b1, c81);
            }
            if (Mr<TV>() > 9)
            {
                ar = TV.Create(a[9]);
                c90 = TV.Fma(ar, b0, c90);
                c91 = TV.Fma(ar, b1, c91);
            }
            if (Mr<TV>() > 10)
            {
                ar = TV.Create(a[10]);
                c100 = TV.Fma(ar, b0, c100);
                c101 = TV.Fma(ar, b1, c101);
            }
            if (Mr<TV>() > 11)
            {
                ar = TV.Create(a[11]);
                c110 = TV.Fma(ar, b0, c110);
                c111 = TV.Fma(ar, b1, c111);
            }
            if (Mr<TV>() > 12)
            {
                ar = TV.Create(a[12]);
                c120 = TV.Fma(ar, b0, c120);
                c121 = TV.Fma(ar, b1, c121);
            }
            if (Mr<TV>() > 13)
            {
                ar = TV.Create(a[13]);
                c130 = TV.Fma(ar, b0, c130);
                c131 = TV.Fma(ar, b1, c131);
            }
        }
        Store(c, c00, c01, add, cols);
        if (Mr<TV>() > 1 && rows > 1) Store(c + 1 * ldc, c10, c11, add, cols);
        if (Mr<TV>() > 2 && rows > 2) Store(c + 2 * ldc, c20, c21, add, cols);
        if (Mr<TV>() > 3 && rows > 3) Store(c + 3 * ldc, c30, c31, add, cols);
        if (Mr<TV>() > 4 && rows > 4) Store(c + 4 * ldc, c40, c41, add, cols);
        if (Mr<TV>() > 5 && rows > 5) Store(c + 5 * ldc, c50, c51, add, cols);
        if (Mr<TV>() > 6 && rows > 6) Store(c + 6 * ldc, c60, c61, add, cols);
        if (Mr<TV>() > 7 && rows > 7) Store(c + 7 * ldc, c70, c71, add, cols);
        if (Mr<TV>() > 8 && rows > 8) Store(c + 8 * ldc, c80, c81, add, cols);
        if (Mr<TV>() > 9 && rows > 9) Store(c + 9 * ldc, c90, c91, add, cols);
        if (Mr<TV>() > 10 && rows > 10) Store(c + 10 * ldc, c100, c101, add, cols);
        if (Mr<TV>() > 11 && rows > 11) Store(c + 11 * ldc, c110, c111, add, cols);
        if (Mr<TV>() > 12 && rows > 12) Store(c + 12 * ldc, c120, c121, add, cols);
        if (Mr<TV>() > 13 && rows > 13) Store(c + 13 * ldc, c130, c131, add, cols);
    }

    // One tile row: the first cols lanes are stored, or added to C (partial loads never touch C past the edge).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TV, T>(T* c, TV x0, TV x1, bool add, int cols)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        var c1 = c + TV.Count;
        if (cols >= 2 * TV.Count)
        {
            // A whole row: plain moves.
            if (add)
            {
                x0 += TV.Load(c);
                x1 += TV.Load(c1);
            }
            x0.Store(c);
            x1.Store(c1);
            return;
        }
        if (add)
        {
            x0 += TV.LoadFirst(c, cols);
            x1 += TV.LoadFirst(c1, cols - TV.Count);
        }
        x0.StoreFirst(c, cols);
        x1.StoreFirst(c1, cols - TV.Count);
    }
}
