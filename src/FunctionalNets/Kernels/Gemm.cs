using System.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>General matrix multiply on row-major spans: <c>C = op(A)·op(B)</c>, optionally added to C.</summary>
/// <remarks>
/// float and double run the packed, cache-blocked kernel (<see cref="GemmBlocked"/>) at the <see cref="VectorWidth"/>
/// in force, with the same bits at every width; other element types, and products of at most
/// <see cref="SmallVolume"/> multiply-adds, run a plain dot-product loop (no fused multiply-add). Work is split over
/// rows or columns of C, or over whole products of a batch, so every element of C is computed by the same operations
/// in the same order whatever <see cref="Compute.Threads"/> is.
/// </remarks>
internal static unsafe class Gemm
{
    // Up to this many multiply-adds (m·k·n), e.g. 4×4×4, the plain loop is faster than packing (measured).
    private const long SmallVolume = 64;

    /// <summary>
    /// C (m×n) = op(A)·op(B) where op(A) is m×k (A stored m×k, or k×m when <paramref name="transA"/>) and op(B)
    /// is k×n (B stored k×n, or n×k when <paramref name="transB"/>). With <paramref name="accumulate"/> the
    /// product is added to C instead of replacing it; with k = 0 the product is zero.
    /// </summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n,
        bool transA = false, bool transB = false, bool accumulate = false)
        where T : unmanaged, INumber<T>
    {
        Validate(a.Length, b.Length, c.Length, m, k, n);
        Run(a, b, c, new GemmShape(m, k, n, transA, transB, accumulate));
    }

    /// <summary>
    /// <see cref="Multiply{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int, bool, bool, bool)"/> of blocks
    /// inside wider matrices, whose rows are <paramref name="lda"/>, <paramref name="ldb"/> and <paramref name="ldc"/>
    /// elements apart (each at least the block's stored row length; the caller keeps the memory pinned). The same bits
    /// as multiplying contiguous copies of the blocks: packing reads the same elements either way.
    /// </summary>
    /// <remarks>
    /// A <paramref name="band"/> other than <see cref="GemmBand.Full"/> lets the packed kernel leave out work that
    /// cannot change the result (a causal mask's zeros); the bits of what it computes are the same either way.
    /// </remarks>
    public static void Multiply<T>(T* a, int lda, T* b, int ldb, T* c, int ldc, int m, int k, int n,
        bool transA = false, bool transB = false, bool accumulate = false, GemmBand band = GemmBand.Full)
        where T : unmanaged, INumber<T>
    {
        var s = new GemmShape(m, k, n, transA, transB, accumulate, lda, ldb, ldc, band);
        var (aCols, bCols) = (transA ? m : k, transB ? k : n);
        if (m < 0 || k < 0 || n < 0 || lda < aCols || ldb < bCols || ldc < n)
            throw new ArgumentException($"Gemm: m={m}, k={k}, n={n} need lda ≥ {aCols}, ldb ≥ {bCols}, ldc ≥ {n}, got {lda}, {ldb}, {ldc}");
        var (aRows, bRows) = (transA ? k : m, transB ? n : k);
        Run(new ReadOnlySpan<T>(a, Extent(aRows, aCols, lda)), new ReadOnlySpan<T>(b, Extent(bRows, bCols, ldb)), new Span<T>(c, Extent(m, n, ldc)), s);
    }

    // A validated product: the packed kernel for float and double beyond the smallest sizes, the plain loop otherwise.
    private static void Run<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, GemmShape s)
        where T : unmanaged, INumber<T>
    {
        if (s.M == 0 || s.N == 0) return;
        if (s.K == 0)
        {
            if (!s.Accumulate)
                for (var i = 0; i < s.M; i++) c.Slice(i * s.StrideC, s.N).Clear();
            return;
        }
        if ((typeof(T) == typeof(float) || typeof(T) == typeof(double)) && (long)s.M * s.K * s.N > SmallVolume)
            GemmBlocked.Multiply(a, b, c, s, Compute.Threads);
        else
            Reference(a, b, c, s);
    }

    // The elements from a block's first to its last: whole rows but the last, which ends at the block's edge.
    private static int Extent(int rows, int cols, int stride) => rows == 0 || cols == 0 ? 0 : (rows - 1) * stride + cols;

    /// <summary>
    /// <c>C[i] = op(A[i])·op(B[i])</c> for i = 0 … batch−1, where A[i], B[i] and C[i] are the i-th consecutive
    /// slices of m·k, k·n and m·n elements, each laid out as in <see cref="Multiply{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int, bool, bool, bool)"/>.
    /// </summary>
    /// <remarks>
    /// A batch of small products (attention heads) is split over whole slices, each computed by one thread exactly as
    /// <see cref="Multiply{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int, bool, bool, bool)"/> computes it alone, so the bits do not depend on <see cref="Compute.Threads"/>. Slices big
    /// enough to be split themselves are multiplied one after another.
    /// </remarks>
    public static void MultiplyBatched<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int batch, int m, int k, int n,
        bool transA = false, bool transB = false, bool accumulate = false)
        where T : unmanaged, INumber<T>
    {
        Validate(a.Length, b.Length, c.Length, m, k, n, batch);
        var (sa, sb, sc, volume) = (m * k, k * n, m * n, (long)m * k * n);
        var parts = Math.Min(Compute.Threads, batch);
        if (parts <= 1 || volume >= GemmBlocked.ParallelVolume || volume * batch < GemmBlocked.ParallelVolume)
        {
            for (var i = 0; i < batch; i++)
                Multiply(a.Slice(i * sa, sa), b.Slice(i * sb, sb), c.Slice(i * sc, sc), m, k, n, transA, transB, accumulate);
            return;
        }
        fixed (T* pa = a, pb = b, pc = c)
            StaticParallel.For(parts, new Slices<T>((nint)pa, (nint)pb, (nint)pc, batch, new GemmShape(m, k, n, transA, transB, accumulate), VectorWidth.Current));
    }

    /// <summary>
    /// A batch's operands (pinned by the caller for the whole call); part t of P is the t-th of P equal runs of slices,
    /// computed at the caller's vector width whichever thread runs it.
    /// </summary>
    private readonly struct Slices<T>(nint a, nint b, nint c, int batch, GemmShape s, int width) : IPartWork
        where T : unmanaged, INumber<T>
    {
        public void Run(int part, int parts)
        {
            using var scope = VectorWidth.Carry(width);
            var (sa, sb, sc) = (s.M * s.K, s.K * s.N, s.M * s.N);
            for (var i = batch * part / parts; i < batch * (part + 1) / parts; i++)
                Multiply(new ReadOnlySpan<T>((T*)a + (nint)i * sa, sa), new ReadOnlySpan<T>((T*)b + (nint)i * sb, sb),
                    new Span<T>((T*)c + (nint)i * sc, sc), s.M, s.K, s.N, s.TransA, s.TransB, s.Accumulate);
        }
    }

    // Any numeric type, and tiny float/double products: each element of C is one dot product summed over k in index
    // order. op(A)[i, p] = a[i·ai + p·ap] and op(B)[p, j] = b[p·bp + j·bj], whichever way each is stored.
    private static void Reference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, GemmShape s)
        where T : unmanaged, INumber<T>
    {
        var (m, k, n, ldc, accumulate) = (s.M, s.K, s.N, s.StrideC, s.Accumulate); // read once, not per element
        var (ai, ap) = s.TransA ? (1, s.StrideA) : (s.StrideA, 1);
        var (bp, bj) = s.TransB ? (1, s.StrideB) : (s.StrideB, 1);
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var sum = T.Zero;
                for (int p = 0, x = i * ai, y = j * bj; p < k; p++, x += ap, y += bp)
                    sum += a[x] * b[y];
                ref var at = ref c[i * ldc + j];
                at = accumulate ? at + sum : sum;
            }
    }

    private static void Validate(int aLength, int bLength, int cLength, int m, int k, int n, int batch = 1)
    {
        if (m < 0 || k < 0 || n < 0 || batch < 0)
            throw new ArgumentException($"Gemm: dimensions must be non-negative, got {Dims(m, k, n, batch)}");
        var (needA, needB, needC) = ((long)batch * m * k, (long)batch * k * n, (long)batch * m * n);
        if (needA > aLength || needB > bLength || needC > cLength)
            throw new ArgumentException($"Gemm: {Dims(m, k, n, batch)} need A ≥ {needA}, B ≥ {needB}, C ≥ {needC} elements, got {aLength}, {bLength}, {cLength}");
    }

    // For messages only (formatting on every call cost more than a tiny product): a batch of one is a plain product,
    // and its messages do not mention the batch.
    private static string Dims(int m, int k, int n, int batch) => batch == 1 ? $"m={m}, k={k}, n={n}" : $"batch={batch}, m={m}, k={k}, n={n}";
}

/// <summary>
/// The dimensions and flags of one multiply: op(A) is m×k, op(B) is k×n. Rows of the stored A, B and C are
/// <see cref="StrideA"/>, <see cref="StrideB"/> and <see cref="StrideC"/> elements apart: the stored row length
/// unless <paramref name="Lda"/>, <paramref name="Ldb"/> or <paramref name="Ldc"/> give more (a block inside a wider matrix).
/// </summary>
internal readonly record struct GemmShape(int M, int K, int N, bool TransA, bool TransB, bool Accumulate, int Lda = 0, int Ldb = 0, int Ldc = 0,
    GemmBand Band = GemmBand.Full)
{
    public int StrideA => Lda > 0 ? Lda : TransA ? M : K;

    public int StrideB => Ldb > 0 ? Ldb : TransB ? K : N;

    public int StrideC => Ldc > 0 ? Ldc : N;
}

/// <summary>
/// What a product may leave out around its diagonal (row i of C against column j, or against step p of the sum) when
/// the caller knows it is masked: causal attention's products, whose probabilities are zero above the diagonal.
/// </summary>
/// <remarks>
/// Leaving out a term that is a zero product changes no bit: adding ±0 leaves a chain of fused multiply-adds as it
/// is, unless it holds −0 (a chain from +0 gets there only when its products underflow), and the micro-kernel adds
/// +0 to every sum before it stores it, so a zero sum is +0 with or without the left-out terms. Work is left out a
/// register tile at a time, so a tile that straddles the diagonal still computes its masked entries; paths that do
/// not look at the band compute everything, with the same bits.
/// </remarks>
internal enum GemmBand
{
    /// <summary>Every element, every term.</summary>
    Full,

    /// <summary>C[i, j] for j ≤ i is all the caller reads: tiles wholly above the diagonal are not computed (their elements are left as they were).</summary>
    Lower,

    /// <summary>op(A)[i, p] is zero for p &gt; i: row i sums the terms p ≤ i.</summary>
    TermsUpToRow,

    /// <summary>op(A)[i, p] is zero for p &lt; i: row i sums the terms p ≥ i.</summary>
    TermsFromRow,
}
