using System.Buffers;
using System.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>
/// Packed, cache-blocked GEMM for float and double (Goto/BLIS layout) at the <see cref="VectorWidth"/> in force: a
/// kc×nc block of op(B) is packed into contiguous slivers of <see cref="GemmMicroKernel.Nr{TV, T}"/> columns, each
/// <see cref="GemmMicroKernel.Mr{TV}"/>-row sliver of op(A) is packed next to it (or, for a plain A, read where it is
/// stored), and the register-blocked micro-kernel sweeps the B slivers. Transposes are absorbed by the packing.
/// </summary>
/// <remarks>
/// Determinism: element (i, j) of C is always the k-blocks 0, Kc, 2·Kc … in that order (Kc the same on every
/// width), each summed from zero by a chain of fused multiply-adds over p in index order and then added to C. Neither
/// the thread split, nor the vector width, nor the tile an element lands in changes that sequence, so 1 and N
/// threads and the 512-, 256- and 128-bit bodies give identical bits.
/// </remarks>
internal static unsafe class GemmBlocked
{
    // Block sizes, measured on Sapphire Rapids (48 KiB L1d, 2 MiB L2 per core): a Kc-deep A sliver stays in L1 while
    // the B slivers of a Kc×Nc block (≤ 1 MiB) stream from L2. Depth: 256 floats or 192 doubles; width 1024 or 512.
    // The depth fixes where each element's sum restarts, so it must not depend on the width.
    private static int Kc<T>()
        where T : unmanaged => sizeof(T) == sizeof(float) ? 256 : 192;

    private static int Nc<T>()
        where T : unmanaged => sizeof(T) == sizeof(float) ? 1024 : 512;

    /// <summary>Below this many multiply-adds (m·k·n) one thread does the whole product: forking costs a few µs.</summary>
    public const long ParallelVolume = 128L * 128 * 128;

    /// <summary>C (+)= op(A)·op(B) for T = float or double, with the bodies of the <see cref="VectorWidth"/> in force.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, GemmShape s, int maxThreads)
        where T : unmanaged, INumber<T>
    {
        switch (VectorWidth.Current)
        {
            case 512: Multiply<V512<T>, T>(a, b, c, s, maxThreads); break;
            case 256: Multiply<V256<T>, T>(a, b, c, s, maxThreads); break;
            default: Multiply<V128<T>, T>(a, b, c, s, maxThreads); break;
        }
    }

    private static void Multiply<TV, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, GemmShape s, int maxThreads)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        var (mr, nr) = (GemmMicroKernel.Mr<TV>(), GemmMicroKernel.Nr<TV, T>());
        var (rowTiles, colTiles) = (CeilDiv(s.M, mr), CeilDiv(s.N, nr));
        // Split the longer side of C, so the operand packed by every thread (the other side's) is the smaller.
        var splitRows = rowTiles >= colTiles;
        var tiles = splitRows ? rowTiles : colTiles;
        var threads = (long)s.M * s.K * s.N < ParallelVolume ? 1 : Math.Min(maxThreads, tiles);
        fixed (T* pa = a, pb = b, pc = c)
        {
            var job = new Job<TV, T>((nint)pa, (nint)pb, (nint)pc, s, splitRows, tiles);
            if (threads == 1)
                job.Run(0, s.M, 0, s.N);
            else if (splitRows && GuidedRows<TV, T>.Fits(s, threads))
                GuidedRows<TV, T>.Multiply((nint)pa, (nint)pb, (nint)pc, s, threads);
            else if (splitRows && GuidedRows<TV, T>.FitsByKBlock(s))
                for (var k0 = 0; k0 < s.K; k0 += Kc<T>())
                {
                    var (ka, kb, kBlock) = KBlock(pa, pb, s, k0);
                    GuidedRows<TV, T>.Multiply(ka, kb, (nint)pc, kBlock, threads);
                }
            else
                StaticParallel.For(threads, job);
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    // Packed slivers are read with full-vector loads: start them on a cache line (a buffer rents 64 bytes extra).
    private static T* LineAligned<T>(T* start)
        where T : unmanaged => (T*)(((nint)start + 63) & ~(nint)63);

    /// <summary>
    /// The product over the k-block [k0, k0 + Kc) alone: op(A)'s columns and op(B)'s rows of that block, added to C
    /// unless it is the first block of a product that overwrites C. Run in order, the blocks sum each element of C as
    /// one multiply does (block by block, each from zero, then added).
    /// </summary>
    private static (nint A, nint B, GemmShape Shape) KBlock<T>(T* a, T* b, GemmShape s, int k0)
        where T : unmanaged
    {
        var (ka, kb) = ((nint)(s.TransA ? a + (nint)k0 * s.StrideA : a + k0), (nint)(s.TransB ? b + k0 : b + (nint)k0 * s.StrideB));
        // The band's terms are counted from the product's first: a k-block's own count would misplace it.
        var shape = s with { K = Math.Min(Kc<T>(), s.K - k0), Accumulate = s.Accumulate || k0 > 0, Lda = s.StrideA, Ldb = s.StrideB, Ldc = s.StrideC, Band = GemmBand.Full };
        return (ka, kb, shape);
    }

    /// <summary>
    /// One multiply's operands (pinned by the caller for the whole call) and shape; part t of P is the t-th of P
    /// equal runs of row tiles (or column tiles) of C.
    /// </summary>
    private readonly struct Job<TV, T>(nint a, nint b, nint c, GemmShape s, bool splitRows, int tiles) : IPartWork
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        public void Run(int part, int parts)
        {
            var (mr, nr) = (GemmMicroKernel.Mr<TV>(), GemmMicroKernel.Nr<TV, T>());
            var (lo, hi) = (tiles * part / parts, tiles * (part + 1) / parts);
            if (splitRows)
                Run(lo * mr, Math.Min(hi * mr, s.M), 0, s.N);
            else
                Run(0, s.M, lo * nr, Math.Min(hi * nr, s.N));
        }

        /// <summary>Computes the block C[i0..i1, j0..j1] with its own packing buffers.</summary>
        public void Run(int i0, int i1, int j0, int j1)
        {
            var (mr, nr, kcBlock, ncBlock) = (GemmMicroKernel.Mr<TV>(), GemmMicroKernel.Nr<TV, T>(), Kc<T>(), Nc<T>());
            var kcMax = Math.Min(kcBlock, s.K);
            var ncMax = Math.Min(ncBlock, CeilDiv(j1 - j0, nr) * nr);
            var align = 64 / sizeof(T);
            var group = TilesPerPack(s, mr);
            var buffer = ArrayPool<T>.Shared.Rent(align + kcMax * ncMax + PackedA<TV, T>(s, kcMax));
            fixed (T* start = buffer)
            {
                var bp = LineAligned(start);
                var ap = bp + kcMax * ncMax;
                for (var jc = j0; jc < j1; jc += ncBlock)
                {
                    var nc = Math.Min(ncBlock, j1 - jc);
                    for (var pc = 0; pc < s.K; pc += kcBlock)
                    {
                        var kc = Math.Min(kcBlock, s.K - pc);
                        GemmPack.B<TV, T>((T*)b, bp, s, pc, kc, jc, nc);
                        for (var ir = i0; ir < i1; ir += group * mr)
                            RowTiles<TV, T>((T*)a, ap, bp, (T*)c, s, ir, Math.Min(group * mr, i1 - ir), pc, kc, jc, nc);
                    }
                }
            }
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Rows [ir, ir + rows) of C against one packed k-block of op(B), columns [jc, jc + nc): packs the rows' A slivers
    /// into <paramref name="ap"/>, then sweeps the block's slivers (sliver j at <c>bp + j·Nr·kc</c>) with each row
    /// tile in turn, leaving out what the shape's <see cref="GemmBand"/> allows.
    /// </summary>
    private static void RowTiles<TV, T>(T* a, T* ap, T* bp, T* c, GemmShape s, int ir, int rows, int pc, int kc, int jc, int nc)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        var (mr, nr, stride) = (GemmMicroKernel.Mr<TV>(), GemmMicroKernel.Nr<TV, T>(), GemmPack.ASliverStride<TV, T>(kc));
        var add = pc > 0 || s.Accumulate;
        var inPlace = ReadsAInPlace<TV, T>(s);
        if (!inPlace) GemmPack.A<TV, T>(a, ap, s, ir, rows, pc, kc);
        for (var t = 0; t * mr < rows; t++, ap += stride)
        {
            var (row, tileRows) = (ir + t * mr, Math.Min(mr, rows - t * mr));
            // The tile's A: its packed sliver, or its rows where they are stored, a step apart in each.
            var (tileA, lda, step) = inPlace ? ((nint)(a + (nint)row * s.StrideA + pc), (nint)s.StrideA, 1) : ((nint)ap, 0, mr);
            // The tile's terms, within this k-block: all, or those its rows' band reaches. An empty range still runs,
            // so C is written (or has +0 added) as without the band.
            var (from, to) = s.Band switch
            {
                GemmBand.TermsUpToRow => (0, Math.Clamp(row + tileRows - pc, 0, kc)),
                GemmBand.TermsFromRow => (Math.Clamp(row - pc, 0, kc), kc),
                _ => (0, kc),
            };
            var columns = s.Band == GemmBand.Lower ? Math.Min(nc, row + tileRows - jc) : nc;
            for (var jr = 0; jr < columns; jr += nr)
                GemmMicroKernel.Run<TV, T>((T*)tileA + from * step, lda, bp + jr * kc + from * nr, to - from, c + (nint)row * s.StrideC + jc + jr, s.StrideC, add,
                    tileRows, Math.Min(nr, nc - jr));
        }
    }

    /// <summary>
    /// Whether the tiles read a plain A where it is stored, not packed: its Mr rows are Mr contiguous runs that stay in
    /// L1 while the tile sweeps the B slivers, as a packed sliver would, and packing them cost more than the compute on
    /// B blocks of a few hundred columns. Not at 512 bits, whose 14 rows' offsets would not fit x64's general registers,
    /// nor where the rows are a multiple of 4 KiB apart: the runs would then share L1 sets with each other and with B.
    /// </summary>
    private static bool ReadsAInPlace<TV, T>(GemmShape s)
        where TV : unmanaged
        where T : unmanaged => !s.TransA && GemmMicroKernel.Mr<TV>() <= 8 && (long)s.StrideA * sizeof(T) % 4096 != 0;

    /// <summary>Elements of one pack of A slivers (<see cref="TilesPerPack"/> of them), none where A is read in place.</summary>
    private static int PackedA<TV, T>(GemmShape s, int kc)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T> =>
        ReadsAInPlace<TV, T>(s) ? 0 : TilesPerPack(s, GemmMicroKernel.Mr<TV>()) * GemmPack.ASliverStride<TV, T>(kc);

    /// <summary>
    /// Row tiles whose A slivers are packed together: one for a plain A (each sliver's rows are contiguous runs), and
    /// about 96 rows of a transposed A, whose sliver reads a short run from each of kc rows of A: packed one at a
    /// time, every tile read those rows' cache lines again through a masked load, and packed together with whole
    /// loads they ran 2.5–3 times as fast (docs/architecture.md, "On an AVX2 machine").
    /// </summary>
    private static int TilesPerPack(GemmShape s, int mr) => s.TransA ? Math.Max(1, 96 / mr) : 1;

    /// <summary>
    /// A row split whose rows are cut into several parts per thread, claimed by whoever is free, so a thread that runs
    /// slower (its core slower, its cache colder, its tiles partial) does not hold the other up at the join. Up to
    /// 2 MiB each thread packs op(B) into its own buffer before its first claim: reading B packed by another core cost
    /// more than packing it twice (docs/architecture.md, "Each thread packs its own B"). A larger B is packed once, by
    /// the threads together, into a buffer they share: packing it twice cost more there ("One B for all threads past
    /// 2 MiB").
    /// </summary>
    /// <remarks>
    /// Each element of C still sums its k-blocks in order, each from zero, so the bits are those of
    /// <see cref="Job{TV, T}"/> whichever thread computes which rows.
    /// </remarks>
    private static class GuidedRows<TV, T>
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        /// <summary>
        /// B is one column block, the threads' packed copies of it would come to at most 8 MiB together (4 MiB each on
        /// two threads; counted so even where they share one, <see cref="SharesB"/>), and the product is large enough
        /// (8 Mi multiply-adds) that each thread packing all of B costs little beside its share of the rows. Up to that size one pass over all of B beat one pass per k-block with a meeting
        /// between them (W1 n = 512 about +3 %, n = 1,024 about +5 %; docs/architecture.md, "One pass over B").
        /// </summary>
        public static bool Fits(GemmShape s, int threads) =>
            s.N <= Nc<T>() && threads * PackedB(s) * sizeof(T) <= 8L << 20 && (long)s.M * s.K * s.N >= 1L << 23;

        /// <summary>
        /// Whether the threads pack one B together: past 2 MiB, where on a 512 KiB-L2 Zen 3 neither thread's copy stays
        /// in its L2 and a shared B ran W1 n = 1,024 2 % faster, while on a 1 MiB-L2 Zen 5 each thread's own copy was
        /// 8–14 % faster at 1 and 2 MiB.
        /// </summary>
        private static bool SharesB(GemmShape s) => PackedB(s) * sizeof(T) > 2L << 20;

        // Elements of op(B) packed: every k-block's slivers, the last one padded to Nr columns.
        private static long PackedB(GemmShape s) => (long)s.K * RoundUp(s.N, GemmMicroKernel.Nr<TV, T>());

        /// <summary>
        /// Too large for <see cref="Fits"/>, but a product whose k-blocks can be split one at a time: a k-block of B is
        /// one column block (at most the 1 MiB that each thread of <see cref="Job{TV, T}"/> packs for itself), and each
        /// k-block's product is large enough for the threads' meeting to cost little.
        /// </summary>
        public static bool FitsByKBlock(GemmShape s) =>
            s.N <= Nc<T>() && s.K > Kc<T>() && (long)s.M * Kc<T>() * s.N >= 1L << 23;

        public static void Multiply(nint a, nint b, nint c, GemmShape s, int threads)
        {
            var rows = new GuidedParts(CeilDiv(s.M, GemmMicroKernel.Mr<TV>()), threads, MinTiles(s, GemmMicroKernel.Mr<TV>()));
            if (!SharesB(s))
            {
                StaticParallel.For(threads, new Team(a, b, c, sharedB: 0, s, rows, new Claims()));
                return;
            }
            var buffer = ArrayPool<T>.Shared.Rent(64 / sizeof(T) + (int)PackedB(s));
            fixed (T* start = buffer)
                StaticParallel.For(threads, new Team(a, b, c, (nint)LineAligned(start), s, rows, new Claims()));
            ArrayPool<T>.Shared.Return(buffer);
        }

        private static int RoundUp(int x, int y) => CeilDiv(x, y) * y;

        // A row part is at least a million multiply-adds: a claim and a packed A sliver are not free.
        private static int MinTiles(GemmShape s, int mr) => (int)Math.Max(1, (1L << 20) / ((long)mr * s.K * s.N));

        private sealed class Claims
        {
            public int Next;
            public int NextPack;
            public int PacksDone;
        }

        /// <summary>
        /// One thread's share: pack op(B) (all of it into its own buffer, or its claims of the shared one's pieces),
        /// then claim row parts in order until none is left.
        /// </summary>
        /// <remarks>
        /// A piece of the shared B is claimed by a running thread, which packs it without waiting for anything, so a
        /// thread that waits for the pieces others claimed cannot wait forever; if the parts run one after another
        /// on one thread, the first packs every piece. The pieces are whole slivers, and B's packs write nothing past
        /// a sliver (its Nr is a whole number of vectors), so pieces packed side by side never overlap.
        /// </remarks>
        private readonly struct Team(nint a, nint b, nint c, nint sharedB, GemmShape s, GuidedParts rowParts, Claims claims) : IPartWork
        {
            public void Run(int part, int parts)
            {
                // A thread that starts when every part is claimed (a late worker, the caller running a second share)
                // would pack B for nothing.
                if (Volatile.Read(ref claims.Next) >= rowParts.Count) return;
                var (mr, nr, kcBlock) = (GemmMicroKernel.Mr<TV>(), GemmMicroKernel.Nr<TV, T>(), Kc<T>());
                var (kcMax, blockSize) = (Math.Min(kcBlock, s.K), Math.Min(kcBlock, s.K) * RoundUp(s.N, nr));
                var (kBlocks, group) = (CeilDiv(s.K, kcBlock), TilesPerPack(s, mr));
                var ownB = sharedB == 0 ? kBlocks * blockSize : 0;
                var buffer = ArrayPool<T>.Shared.Rent(64 / sizeof(T) + ownB + PackedA<TV, T>(s, kcMax));
                fixed (T* start = buffer)
                {
                    var own = LineAligned(start);
                    var bp = sharedB == 0 ? own : (T*)sharedB;
                    var ap = own + ownB;
                    if (sharedB == 0)
                        for (var kBlock = 0; kBlock < kBlocks; kBlock++)
                        {
                            var pc = kBlock * kcBlock;
                            GemmPack.B<TV, T>((T*)b, bp + kBlock * blockSize, s, pc, Math.Min(kcBlock, s.K - pc), 0, s.N);
                        }
                    else
                        PackShared(bp, blockSize);
                    for (int claim; (claim = Interlocked.Increment(ref claims.Next) - 1) < rowParts.Count;)
                    {
                        var (lo, hi) = rowParts[claim];
                        var end = Math.Min(hi * mr, s.M);
                        for (var ir = lo * mr; ir < end; ir += group * mr)
                            for (var kBlock = 0; kBlock < kBlocks; kBlock++)
                            {
                                var pc = kBlock * kcBlock;
                                RowTiles<TV, T>((T*)a, ap, bp + kBlock * blockSize, (T*)c, s, ir, Math.Min(group * mr, end - ir), pc, Math.Min(kcBlock, s.K - pc), 0, s.N);
                            }
                    }
                }
                ArrayPool<T>.Shared.Return(buffer);
            }

            // Claims pieces of the shared B (a k-block's slivers over 256 columns) until none is left, then waits until
            // every claimed piece is packed.
            private void PackShared(T* bp, int blockSize)
            {
                var (nr, kcBlock) = (GemmMicroKernel.Nr<TV, T>(), Kc<T>());
                var width = Math.Max(nr, PieceColumns / nr * nr);
                var (across, pieces) = (CeilDiv(s.N, width), CeilDiv(s.K, kcBlock) * CeilDiv(s.N, width));
                for (int piece; (piece = Interlocked.Increment(ref claims.NextPack) - 1) < pieces;)
                    try
                    {
                        var (kBlock, column) = Math.DivRem(piece, across);
                        var (pc, jc) = (kBlock * kcBlock, column * width);
                        var kc = Math.Min(kcBlock, s.K - pc);
                        GemmPack.B<TV, T>((T*)b, bp + kBlock * blockSize + jc * kc, s, pc, kc, jc, Math.Min(width, s.N - jc));
                    }
                    finally
                    {
                        Interlocked.Increment(ref claims.PacksDone); // a failed piece must not leave the others waiting
                    }
                var wait = new SpinWait();
                while (Volatile.Read(ref claims.PacksDone) < pieces) wait.SpinOnce(sleep1Threshold: -1);
            }
        }

        // Columns of one piece of a shared B: 16 pieces at n = 1,024, so the threads finish packing close together.
        private const int PieceColumns = 256;
    }
}
