using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
    /// <c>C[i, j] (+)= Σ_p A(i, p)·b[p·Nr + j]</c> over p = 0 … kc−1 in order, each sum a chain of fused
    /// multiply-adds starting from zero; the sum is stored into C, or added to it (sum + C) when <paramref name="add"/>.
    /// A(i, p) is <c>a[p·Mr + i]</c> of a packed sliver when <paramref name="lda"/> is 0, else <c>a[i·lda + p]</c> of a
    /// plain A read where it is stored (one register a row holds its offset: meant for tiles of at most 8 rows). C rows
    /// are <paramref name="ldc"/> apart, and only the top-left <paramref name="rows"/>×<paramref name="cols"/> corner
    /// of the tile is touched (partial stores at an edge).
    /// </summary>
    public static void Run<TV, T>(T* a, nint lda, T* b, int kc, T* c, nint ldc, bool add, int rows, int cols)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        if (lda == 0) Rows<Packed, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
        else Rows<Stored, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows<TA, TV, T>(T* a, nint lda, T* b, int kc, T* c, nint ldc, bool add, int rows, int cols)
        where TA : IALayout
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        // A tile with fewer rows (C's last row tile) runs an instantiation that computes only 4 or 8 rows where that
        // covers them: each row's chain of multiply-adds is the same whatever the tile computes beside it.
        if (rows <= 4 && Mr<TV>() > 4) OfWidth<Rows4, TA, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
        else if (rows <= 8 && Mr<TV>() > 8) OfWidth<Rows8, TA, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
        else OfWidth<AllRows<TV>, TA, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OfWidth<TRows, TA, TV, T>(T* a, nint lda, T* b, int kc, T* c, nint ldc, bool add, int rows, int cols)
        where TRows : IRows
        where TA : IALayout
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        if (sizeof(TV) == 64) Tile<TRows, TA, Raw512<T>, Vector512<T>, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
        else if (sizeof(TV) == 32) Tile<TRows, TA, Raw256<T>, Vector256<T>, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
        else Tile<TRows, TA, Raw128<T>, Vector128<T>, TV, T>(a, lda, b, kc, c, ldc, add, rows, cols);
    }

    /// <summary>Where a tile finds A, packed or where it is stored: a constant the JIT folds.</summary>
    private interface IALayout
    {
        static abstract bool InPlace { get; }
    }

    private readonly struct Packed : IALayout
    {
        public static bool InPlace => false;
    }

    private readonly struct Stored : IALayout
    {
        public static bool InPlace => true;
    }

    /// <summary>
    /// Row i's element of the current step, relative to the step's pointer: i in a packed sliver, i·lda in place, where
    /// a row past <paramref name="rows"/> reads the last row instead (computed, never stored), so nothing past A is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint RowOffset<TA>(int i, int rows, nint lda)
        where TA : IALayout => TA.InPlace ? Math.Min(i, rows - 1) * lda : i;

    /// <summary>The rows a tile instantiation computes (at most <see cref="Mr{TV}"/>): a constant the JIT folds.</summary>
    private interface IRows
    {
        static abstract int Count { get; }
    }

    private readonly struct Rows4 : IRows
    {
        public static int Count => 4;
    }

    private readonly struct Rows8 : IRows
    {
        public static int Count => 8;
    }

    private readonly struct AllRows<TV> : IRows
        where TV : unmanaged
    {
        public static int Count => Mr<TV>();
    }

    // The accumulators are the raw vector type (IRawSimd): as wrapper structs, many multiply-adds wrote a scratch
    // register that was then copied into the accumulator, 9 extra moves an iteration on AVX2 and 16 on AVX-512.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TRows, TA, TOps, TR, TV, T>(T* a, nint lda, T* b, int kc, T* c, nint ldc, bool add, int rows, int cols)
        where TRows : IRows
        where TA : IALayout
        where TOps : IRawSimd<TR, T>
        where TR : unmanaged
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        // Rows at or past TRows.Count are constant-false branches: the JIT drops them and their accumulators. A packed A
        // sliver always holds Mr rows a step, whatever the tile computes; a stored A is read only in its rows (RowOffset).
        TR c00 = default, c01 = default;
        TR c10 = default, c11 = default;
        TR c20 = default, c21 = default;
        TR c30 = default, c31 = default;
        TR c40 = default, c41 = default;
        TR c50 = default, c51 = default;
        TR c60 = default, c61 = default;
        TR c70 = default, c71 = default;
        TR c80 = default, c81 = default;
        TR c90 = default, c91 = default;
        TR c100 = default, c101 = default;
        TR c110 = default, c111 = default;
        TR c120 = default, c121 = default;
        TR c130 = default, c131 = default;
        nint o1 = RowOffset<TA>(1, rows, lda), o2 = RowOffset<TA>(2, rows, lda), o3 = RowOffset<TA>(3, rows, lda);
        nint o4 = RowOffset<TA>(4, rows, lda), o5 = RowOffset<TA>(5, rows, lda), o6 = RowOffset<TA>(6, rows, lda);
        nint o7 = RowOffset<TA>(7, rows, lda), o8 = RowOffset<TA>(8, rows, lda), o9 = RowOffset<TA>(9, rows, lda);
        nint o10 = RowOffset<TA>(10, rows, lda), o11 = RowOffset<TA>(11, rows, lda), o12 = RowOffset<TA>(12, rows, lda);
        nint o13 = RowOffset<TA>(13, rows, lda);
        for (var p = 0; p < kc; p++, a += TA.InPlace ? 1 : Mr<TV>(), b += 2 * TV.Count)
        {
            var b0 = TOps.Load(b);
            var b1 = TOps.Load(b + TV.Count);
            TR ar;
            ar = TOps.Broadcast(a[0]);
            c00 = TOps.Fma(ar, b0, c00);
            c01 = TOps.Fma(ar, b1, c01);
            if (TRows.Count > 1)
            {
                ar = TOps.Broadcast(a[o1]);
                c10 = TOps.Fma(ar, b0, c10);
                c11 = TOps.Fma(ar, b1, c11);
            }
            if (TRows.Count > 2)
            {
                ar = TOps.Broadcast(a[o2]);
                c20 = TOps.Fma(ar, b0, c20);
                c21 = TOps.Fma(ar, b1, c21);
            }
            if (TRows.Count > 3)
            {
                ar = TOps.Broadcast(a[o3]);
                c30 = TOps.Fma(ar, b0, c30);
                c31 = TOps.Fma(ar, b1, c31);
            }
            if (TRows.Count > 4)
            {
                ar = TOps.Broadcast(a[o4]);
                c40 = TOps.Fma(ar, b0, c40);
                c41 = TOps.Fma(ar, b1, c41);
            }
            if (TRows.Count > 5)
            {
                ar = TOps.Broadcast(a[o5]);
                c50 = TOps.Fma(ar, b0, c50);
                c51 = TOps.Fma(ar, b1, c51);
            }
            if (TRows.Count > 6)
            {
                ar = TOps.Broadcast(a[o6]);
                c60 = TOps.Fma(ar, b0, c60);
                c61 = TOps.Fma(ar, b1, c61);
            }
            if (TRows.Count > 7)
            {
                ar = TOps.Broadcast(a[o7]);
                c70 = TOps.Fma(ar, b0, c70);
                c71 = TOps.Fma(ar, b1, c71);
            }
            if (TRows.Count > 8)
            {
                ar = TOps.Broadcast(a[o8]);
                c80 = TOps.Fma(ar, b0, c80);
                c81 = TOps.Fma(ar, b1, c81);
            }
            if (TRows.Count > 9)
            {
                ar = TOps.Broadcast(a[o9]);
                c90 = TOps.Fma(ar, b0, c90);
                c91 = TOps.Fma(ar, b1, c91);
            }
            if (TRows.Count > 10)
            {
                ar = TOps.Broadcast(a[o10]);
                c100 = TOps.Fma(ar, b0, c100);
                c101 = TOps.Fma(ar, b1, c101);
            }
            if (TRows.Count > 11)
            {
                ar = TOps.Broadcast(a[o11]);
                c110 = TOps.Fma(ar, b0, c110);
                c111 = TOps.Fma(ar, b1, c111);
            }
            if (TRows.Count > 12)
            {
                ar = TOps.Broadcast(a[o12]);
                c120 = TOps.Fma(ar, b0, c120);
                c121 = TOps.Fma(ar, b1, c121);
            }
            if (TRows.Count > 13)
            {
                ar = TOps.Broadcast(a[o13]);
                c130 = TOps.Fma(ar, b0, c130);
                c131 = TOps.Fma(ar, b1, c131);
            }
        }
        Row(c, c00, c01);
        if (TRows.Count > 1 && rows > 1) Row(c + 1 * ldc, c10, c11);
        if (TRows.Count > 2 && rows > 2) Row(c + 2 * ldc, c20, c21);
        if (TRows.Count > 3 && rows > 3) Row(c + 3 * ldc, c30, c31);
        if (TRows.Count > 4 && rows > 4) Row(c + 4 * ldc, c40, c41);
        if (TRows.Count > 5 && rows > 5) Row(c + 5 * ldc, c50, c51);
        if (TRows.Count > 6 && rows > 6) Row(c + 6 * ldc, c60, c61);
        if (TRows.Count > 7 && rows > 7) Row(c + 7 * ldc, c70, c71);
        if (TRows.Count > 8 && rows > 8) Row(c + 8 * ldc, c80, c81);
        if (TRows.Count > 9 && rows > 9) Row(c + 9 * ldc, c90, c91);
        if (TRows.Count > 10 && rows > 10) Row(c + 10 * ldc, c100, c101);
        if (TRows.Count > 11 && rows > 11) Row(c + 11 * ldc, c110, c111);
        if (TRows.Count > 12 && rows > 12) Row(c + 12 * ldc, c120, c121);
        if (TRows.Count > 13 && rows > 13) Row(c + 13 * ldc, c130, c131);

        // The raw accumulators are the wrapper's bits: stored through it.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Row(T* at, TR x0, TR x1) => Store(at, Unsafe.BitCast<TR, TV>(x0), Unsafe.BitCast<TR, TV>(x1), add, cols);
    }

    // One tile row: the first cols lanes are stored, or added to C (partial loads never touch C past the edge). A sum
    // is −0 only when its products underflowed (a chain from +0 gets no other way there), and then whether the terms
    // a band leaves out would have turned it into +0 depends on their signs: adding +0 first makes every zero sum +0,
    // as the plain loop's are, so leaving terms out changes no bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TV, T>(T* c, TV x0, TV x1, bool add, int cols)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        x0 += TV.Zero;
        x1 += TV.Zero;
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
