using System.Buffers;
using System.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>
/// Packed, cache-blocked GEMM for float and double (Goto/BLIS layout) at the <see cref="VectorWidth"/> in force: a
/// kc×nc block of op(B) is packed into contiguous slivers of <see cref="GemmMicroKernel.Nr{TV, T}"/> columns, each
/// <see cref="GemmMicroKernel.Mr{TV}"/>-row sliver of op(A) is packed next to it, and the register-blocked
/// micro-kernel sweeps the B slivers. Transposes are absorbed by the packing.
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
            else if (splitRows && SharedB<TV, T>.Fits(s))
                SharedB<TV, T>.Multiply((nint)pa, (nint)pb, (nint)pc, s, threads);
            else if (splitRows && SharedB<TV, T>.FitsByKBlock(s))
                for (var k0 = 0; k0 < s.K; k0 += Kc<T>())
                {
                    var (ka, kb, kBlock) = KBlock(pa, pb, s, k0);
                    SharedB<TV, T>.Multiply(ka, kb, (nint)pc, kBlock, threads);
                }
            else
                StaticParallel.For(threads, job);
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>
    /// The product over the k-block [k0, k0 + Kc) alone: op(A)'s columns and op(B)'s rows of that block, added to C
    /// unless it is the first block of a product that overwrites C. Run in order, the blocks sum each element of C as
    /// one multiply does (block by block, each from zero, then added).
    /// </summary>
    private static (nint A, nint B, GemmShape Shape) KBlock<T>(T* a, T* b, GemmShape s, int k0)
        where T : unmanaged
    {
        var (ka, kb) = ((nint)(s.TransA ? a + (nint)k0 * s.StrideA : a + k0), (nint)(s.TransB ? b + k0 : b + (nint)k0 * s.StrideB));
        var shape = s with { K = Math.Min(Kc<T>(), s.K - k0), Accumulate = s.Accumulate || k0 > 0, Lda = s.StrideA, Ldb = s.StrideB, Ldc = s.StrideC };
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
            var buffer = ArrayPool<T>.Shared.Rent(align + kcMax * ncMax + kcMax * mr + GemmPack.Slack<T>());
            fixed (T* start = buffer)
            {
                // B slivers are read with full-vector loads: start them on a cache line.
                var bp = (T*)(((nint)start + 63) & ~(nint)63);
                var ap = bp + kcMax * ncMax;
                for (var jc = j0; jc < j1; jc += ncBlock)
                {
                    var nc = Math.Min(ncBlock, j1 - jc);
                    for (var pc = 0; pc < s.K; pc += kcBlock)
                    {
                        var kc = Math.Min(kcBlock, s.K - pc);
                        var add = pc > 0 || s.Accumulate;
                        GemmPack.B<TV, T>((T*)b, bp, s, pc, kc, jc, nc);
                        for (var ir = i0; ir < i1; ir += mr)
                        {
                            var rows = Math.Min(mr, i1 - ir);
                            GemmPack.A<TV, T>((T*)a, ap, s, ir, rows, pc, kc);
                            for (var jr = 0; jr < nc; jr += nr)
                                GemmMicroKernel.Run<TV, T>(ap, bp + jr * kc, kc, (T*)c + (nint)ir * s.StrideC + jc + jr, s.StrideC, add, rows, Math.Min(nr, nc - jr));
                        }
                    }
                }
            }
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A row split whose op(B) is packed once, by all threads side by side, into a buffer they then share: each thread
    /// would otherwise pack all of B for its own rows. With B shared the rows can be cut into several parts per
    /// thread, claimed by whoever is free, so a thread that runs slower (its cache colder, its tiles partial) no
    /// longer holds the other up at the join.
    /// </summary>
    /// <remarks>
    /// Every (k-block, sliver) pair of B has its own slot, padded by the packer's slack, so slots packed by different
    /// threads never overlap. The parts are numbered packing first, then rows; parts are claimed in order, so once a
    /// thread holds a row part every packing part is held by a running thread, and waiting for them cannot deadlock.
    /// Each element of C still sums its k-blocks in order, each from zero, so the bits are those of <see cref="Job{TV, T}"/>.
    /// </remarks>
    private static class SharedB<TV, T>
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
    {
        /// <summary>
        /// The packed B fits in a quarter of a core's L2 (512 KiB, one column block), and the product is large enough
        /// (8 Mi multiply-adds) that the threads' meeting after packing costs little.
        /// </summary>
        public static bool Fits(GemmShape s) =>
            s.N <= Nc<T>() && (long)s.K * RoundUp(s.N, GemmMicroKernel.Nr<TV, T>()) * sizeof(T) <= 512 * 1024 && (long)s.M * s.K * s.N >= 1L << 23;

        /// <summary>
        /// Too large for <see cref="Fits"/>, but a product whose k-blocks can be shared one at a time: a k-block of B is
        /// one column block (at most the 1 MiB that each thread of <see cref="Job{TV, T}"/> packs for itself), and each
        /// k-block's product is large enough for the threads' meeting to cost little.
        /// </summary>
        public static bool FitsByKBlock(GemmShape s) =>
            s.N <= Nc<T>() && s.K > Kc<T>() && (long)s.M * Kc<T>() * s.N >= 1L << 23;

        public static void Multiply(nint a, nint b, nint c, GemmShape s, int threads)
        {
            var (mr, nr, kc) = (GemmMicroKernel.Mr<TV>(), GemmMicroKernel.Nr<TV, T>(), Kc<T>());
            var layout = new Layout(CeilDiv(s.K, kc), CeilDiv(s.N, nr), Math.Min(kc, s.K) * nr + GemmPack.Slack<T>());
            var rows = new GuidedParts(CeilDiv(s.M, mr), threads, MinTiles(s, mr));
            var buffer = ArrayPool<T>.Shared.Rent(64 / sizeof(T) + layout.Slots * layout.SlotSize);
            fixed (T* start = buffer)
            {
                var packed = (nint)(((nint)start + 63) & ~(nint)63);
                StaticParallel.For(threads + rows.Count, new Parts(a, b, c, packed, s, layout, threads, rows, new Progress()));
            }
            ArrayPool<T>.Shared.Return(buffer);
        }

        private static int RoundUp(int x, int y) => CeilDiv(x, y) * y;

        // A row part is at least a million multiply-adds: a claim and a packed A sliver are not free.
        private static int MinTiles(GemmShape s, int mr) => (int)Math.Max(1, (1L << 20) / ((long)mr * s.K * s.N));


        /// <summary>Slot (k-block, sliver) is at <c>(kBlock · Slivers + sliver) · SlotSize</c>; a slot size is a whole number of cache lines.</summary>
        private readonly record struct Layout(int KBlocks, int Slivers, int SlotSize)
        {
            public int Slots => KBlocks * Slivers;
        }

        private sealed class Progress
        {
            public int PackingDone;
        }

        private readonly struct Parts(nint a, nint b, nint c, nint packed, GemmShape s, Layout layout, int packingParts, GuidedParts rowParts, Progress progress) : IPartWork
        {
            public void Run(int part, int parts)
            {
                if (part < packingParts) Pack(part);
                else Rows(part - packingParts);
            }

            private void Pack(int part)
            {
                var (nr, kcBlock) = (GemmMicroKernel.Nr<TV, T>(), Kc<T>());
                var (lo, hi) = (layout.Slots * part / packingParts, layout.Slots * (part + 1) / packingParts);
                try
                {
                    for (var slot = lo; slot < hi; slot++)
                    {
                        var (kBlock, sliver) = Math.DivRem(slot, layout.Slivers);
                        var pc = kBlock * kcBlock;
                        GemmPack.B<TV, T>((T*)b, (T*)packed + (nint)slot * layout.SlotSize, s, pc, Math.Min(kcBlock, s.K - pc), sliver * nr,
                            Math.Min(nr, s.N - sliver * nr));
                    }
                }
                finally
                {
                    Interlocked.Increment(ref progress.PackingDone); // a failed part must not leave the row parts waiting
                }
            }

            private void Rows(int part)
            {
                var (mr, nr, kcBlock) = (GemmMicroKernel.Mr<TV>(), GemmMicroKernel.Nr<TV, T>(), Kc<T>());
                var (lo, hi) = rowParts[part];
                var wait = new SpinWait();
                while (Volatile.Read(ref progress.PackingDone) < packingParts) wait.SpinOnce(sleep1Threshold: -1);
                var buffer = ArrayPool<T>.Shared.Rent(Math.Min(kcBlock, s.K) * mr + GemmPack.Slack<T>());
                fixed (T* ap = buffer)
                {
                    for (var ir = lo * mr; ir < Math.Min(hi * mr, s.M); ir += mr)
                    {
                        var rows = Math.Min(mr, s.M - ir);
                        for (var kBlock = 0; kBlock < layout.KBlocks; kBlock++)
                        {
                            var pc = kBlock * kcBlock;
                            var kc = Math.Min(kcBlock, s.K - pc);
                            var add = pc > 0 || s.Accumulate;
                            GemmPack.A<TV, T>((T*)a, ap, s, ir, rows, pc, kc);
                            for (var sliver = 0; sliver < layout.Slivers; sliver++)
                                GemmMicroKernel.Run<TV, T>(ap, (T*)packed + (nint)(kBlock * layout.Slivers + sliver) * layout.SlotSize, kc,
                                    (T*)c + (nint)ir * s.StrideC + sliver * nr, s.StrideC, add, rows, Math.Min(nr, s.N - sliver * nr));
                        }
                    }
                }
                ArrayPool<T>.Shared.Return(buffer);
            }
        }
    }
}
