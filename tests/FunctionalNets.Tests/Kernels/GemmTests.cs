using CsCheck;
using FunctionalNets.Kernels;
using FunctionalNets.Randomness;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class GemmTests
{
    // Tile edges of the float (14×32) and double (14×16) register tiles, and a few blocks deep.
    private static readonly int[] EdgeSizes = [1, 7, 15, 16, 17, 31, 33, 65, 130];
    private static readonly Gen<int> EdgeSize = Gen.Int[0, EdgeSizes.Length - 1].Select(i => EdgeSizes[i]);

    public static TheoryData<bool, bool> TransposeFlags => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Fact]
    public void Multiply_matches_naive_triple_loop_on_edge_sizes() =>
        Gen.Select(EdgeSize, EdgeSize, EdgeSize, Gen.Bool, Gen.Bool, Gen.Bool, Gen.ULong)
            .Sample((m, k, n, transA, transB, accumulate, seed) =>
                AssertMatchesNaive(m, k, n, transA, transB, accumulate, Key.FromSeed(seed)), iter: 100);

    [Theory, MemberData(nameof(TransposeFlags))]
    public void Multiply_matches_naive_across_several_k_blocks(bool transA, bool transB)
    {
        // k = 600 spans four 192-deep double k-blocks; m and n leave partial tiles on both edges.
        AssertMatchesNaive(45, 600, 70, transA, transB, accumulate: false, Key.FromSeed(1));
        AssertMatchesNaive(45, 600, 70, transA, transB, accumulate: true, Key.FromSeed(2));
    }

    [Theory, MemberData(nameof(TransposeFlags))]
    public void A_row_gets_the_same_bits_whatever_tile_computes_it(bool transA, bool transB)
    {
        // The last row tile of m rows computes only the rows it needs (4, 8, or all Mr). The first m rows of a
        // 168-row product come from whole tiles at every width (168 is a multiple of 14, 8 and 6), so each m compares a
        // short tile's rows with whole tiles' rows, bit for bit.
        const int rows = 168, k = 40, n = 37;
        var key = Key.FromSeed(5);
        var (a, b, c0) = (Sample.Normal<float>(key.FoldIn(0), [rows * k]).ToArray(), Sample.Normal<float>(key.FoldIn(1), [k * n]).ToArray(),
            Sample.Normal<float>(key.FoldIn(2), [rows * n]).ToArray());
        foreach (var bits in AtEveryWidth.Widths)
        {
            using var width = VectorWidth.Use(bits);
            var whole = (float[])c0.Clone();
            Gemm.Multiply<float>(a, b, whole, rows, k, n, transA, transB, accumulate: true);
            for (var m = 1; m < rows; m++)
            {
                // op(A)'s first m rows: the leading rows of A, or (transposed) each of its k rows' first m entries.
                var am = transA ? Enumerable.Range(0, k).SelectMany(p => a.Skip(p * rows).Take(m)).ToArray() : a[..(m * k)];
                var part = c0[..(m * n)];
                Gemm.Multiply<float>(am, b, part, m, k, n, transA, transB, accumulate: true);
                Assert.True(part.AsSpan().SequenceEqual(whole.AsSpan(0, m * n)), $"{bits} bits, m = {m}: a row differs from the whole tile's");
            }
        }
    }

    [Fact]
    public void A_sum_whose_products_underflow_is_written_as_plus_zero()
    {
        // 1e-30 · −1e-30 rounds to −0 in float, so a chain of fused multiply-adds from +0 ends at −0; the plain loop's
        // sum, +0 + −0, is +0, and so must every width's be, stored or added to a +0.
        const int size = 9; // 729 multiply-adds: the packed kernel
        var (a, b) = (Enumerable.Repeat(1e-30f, size * size).ToArray(), Enumerable.Repeat(-1e-30f, size * size).ToArray());
        foreach (var bits in AtEveryWidth.Widths)
            foreach (var accumulate in new[] { false, true })
            {
                using var width = VectorWidth.Use(bits);
                var c = new float[size * size];
                Gemm.Multiply<float>(a, b, c, size, size, size, accumulate: accumulate);
                Assert.True(c.All(x => BitConverter.SingleToInt32Bits(x) == 0), $"{bits} bits, accumulate {accumulate}: {string.Join(", ", c.Take(3))}");
            }
    }

    [Theory, MemberData(nameof(TransposeFlags))]
    public void Multiply_float_agrees_with_double_within_rounding(bool transA, bool transB)
    {
        var (m, k, n) = (65, 130, 33);
        var a = Uniform(Key.FromSeed(3), m * k).Select(x => (double)(float)x).ToArray();
        var b = Uniform(Key.FromSeed(4), k * n).Select(x => (double)(float)x).ToArray();
        var cd = new double[m * n];
        var cf = new float[m * n];
        Gemm.Multiply<double>(a, b, cd, m, k, n, transA, transB);
        Gemm.Multiply<float>(a.Select(x => (float)x).ToArray(), b.Select(x => (float)x).ToArray(), cf, m, k, n, transA, transB);
        // The inputs are exact in both types, so float's error is its own rounding: at most γ_k·Σ|a||b|.
        var bound = AbsoluteProducts(a, b, m, k, n, transA, transB);
        var gammaK = k * Math.Pow(2, -24) / (1 - k * Math.Pow(2, -24));
        for (var i = 0; i < m * n; i++)
            Assert.True(Math.Abs(cf[i] - cd[i]) <= gammaK * bound[i], $"element {i}: float {cf[i]}, double {cd[i]}");
    }

    [Theory, MemberData(nameof(TransposeFlags))]
    public void Multiply_is_bit_identical_for_one_two_and_three_threads(bool transA, bool transB)
    {
        // 300×513 splits over rows, 20×700 over columns; both are large enough to run in parallel.
        foreach (var (m, k, n) in (ReadOnlySpan<(int, int, int)>)[(300, 257, 513), (20, 300, 700)])
        {
            var a = Uniform(Key.FromSeed(5), m * k).Select(x => (float)x).ToArray();
            var b = Uniform(Key.FromSeed(6), k * n).Select(x => (float)x).ToArray();
            var ad = Uniform(Key.FromSeed(7), m * k);
            var bd = Uniform(Key.FromSeed(8), k * n);
            var runs = new[] { 1, 2, 3 }.Select(threads => WithThreads(threads, () =>
            {
                var (cf, cd) = (new float[m * n], new double[m * n]);
                Gemm.Multiply<float>(a, b, cf, m, k, n, transA, transB);
                Gemm.Multiply<double>(ad, bd, cd, m, k, n, transA, transB);
                return (cf, cd);
            })).ToArray();
            foreach (var (cf, cd) in runs[1..])
            {
                Assert.True(cf.AsSpan().SequenceEqual(runs[0].cf), $"float {m}×{k}×{n} differs across thread counts");
                Assert.True(cd.AsSpan().SequenceEqual(runs[0].cd), $"double {m}×{k}×{n} differs across thread counts");
            }
        }
    }

    [Theory, MemberData(nameof(TransposeFlags))]
    public void A_row_split_into_claimed_parts_matches_naive_and_one_thread_bit_for_bit(bool transA, bool transB) =>
        // 300×300×100 splits over rows claimed in guided parts, each thread with all of B packed (float and double):
        // partial row tiles and slivers, two k-blocks, with and without accumulation.
        RowSplitMatchesNaiveAndOneThread(300, 300, 100, transA, transB);

    [Theory, MemberData(nameof(TransposeFlags))]
    public void A_row_split_one_k_block_at_a_time_matches_naive_and_one_thread_bit_for_bit(bool transA, bool transB) =>
        // 420×600×460: B packs into more than 1 MiB (float and double, at 512 and 256 bits), so on eight threads (more
        // than the 8 MiB of copies the threads may pack together) the threads split the rows of one k-block at a time,
        // three or four blocks with a partial last one, the first overwriting C and the others adding.
        RowSplitMatchesNaiveAndOneThread(420, 600, 460, transA, transB);

    [Theory, MemberData(nameof(TransposeFlags))]
    public void A_row_split_over_one_shared_packed_b_matches_naive_and_one_thread_bit_for_bit(bool transA, bool transB)
    {
        // B packs into more than 2 MiB, so two and three threads pack it once, together, in pieces they claim, and then
        // claim rows: 240×1100×512 for float (2.2 MiB) and 240×1100×256 for double (2.1 MiB), with a partial row tile
        // and k-block, and pieces of two sizes. At 512 and 256 bits where the machine has them (at 128 the columns split).
        foreach (var bits in AtEveryWidth.Widths.Where(bits => bits >= 256))
        {
            using var width = VectorWidth.Use(bits);
            RowSplitMatchesNaiveAndOneThread(240, 1100, 512, transA, transB);
            RowSplitMatchesNaiveAndOneThread(240, 1100, 256, transA, transB);
        }
    }

    private static void RowSplitMatchesNaiveAndOneThread(int m, int k, int n, bool transA, bool transB)
    {
        foreach (var accumulate in (ReadOnlySpan<bool>)[false, true])
        {
            AssertMatchesNaive(m, k, n, transA, transB, accumulate, Key.FromSeed(13));
            var a = Uniform(Key.FromSeed(14), m * k);
            var b = Uniform(Key.FromSeed(15), k * n);
            var c0 = Uniform(Key.FromSeed(16), m * n);
            // Three or eight threads on a machine with fewer cores run a share after another has claimed rows (or all of
            // them); eight also pack fewer bytes of B each before the product is split one k-block at a time.
            var runs = new[] { 1, 2, 3, 8 }.Select(threads => WithThreads(threads, () =>
            {
                var (cf, cd) = (c0.Select(x => (float)x).ToArray(), (double[])c0.Clone());
                Gemm.Multiply<float>(a.Select(x => (float)x).ToArray(), b.Select(x => (float)x).ToArray(), cf, m, k, n, transA, transB, accumulate);
                Gemm.Multiply<double>(a, b, cd, m, k, n, transA, transB, accumulate);
                return (cf, cd);
            })).ToArray();
            for (var t = 1; t < runs.Length; t++)
            {
                Assert.True(runs[t].cf.AsSpan().SequenceEqual(runs[0].cf), $"float, accumulate={accumulate}: {t + 1} threads differ from 1");
                Assert.True(runs[t].cd.AsSpan().SequenceEqual(runs[0].cd), $"double, accumulate={accumulate}: {t + 1} threads differ from 1");
            }
        }
    }

    [Theory, MemberData(nameof(TransposeFlags))]
    public void Blocks_inside_wider_matrices_multiply_to_the_bits_of_their_contiguous_copies(bool transA, bool transB)
    {
        // 3×2×4 takes the plain loop, the others the packed kernel with partial tiles; 7 spare columns on every side.
        foreach (var (m, k, n, accumulate) in (ReadOnlySpan<(int, int, int, bool)>)[(3, 2, 4, false), (37, 19, 45, true), (64, 32, 64, false)])
        {
            StridedMatchesContiguous<float>(m, k, n, transA, transB, accumulate);
            StridedMatchesContiguous<double>(m, k, n, transA, transB, accumulate);
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public void A_plain_a_read_in_place_or_packed_gives_the_same_bits(bool transB)
    {
        // The tiles read a plain A's rows where they are stored, unless the rows are a multiple of 4 KiB apart (then they
        // pack them): rows 1,024 floats or 512 doubles apart take the packed path, the contiguous copy the other.
        foreach (var bits in AtEveryWidth.Widths)
        {
            using var width = VectorWidth.Use(bits);
            StridedMatchesContiguous<float>(37, 300, 45, transA: false, transB, accumulate: true, spare: 1024 - 300);
            StridedMatchesContiguous<double>(37, 300, 45, transA: false, transB, accumulate: false, spare: 512 - 300);
        }
    }

    [Fact]
    public void A_row_stride_shorter_than_a_row_names_gemm_and_the_strides()
    {
        var ex = Assert.Throws<ArgumentException>(() => StridedProduct<float>(new float[20], 3, new float[20], 4, new float[20], 4, 4, 4, 4));
        Assert.Contains("Gemm: m=4, k=4, n=4 need lda ≥ 4", ex.Message);
    }

    // Multiplies the blocks that start `offset` elements into a, b and c.
    private static unsafe void StridedProduct<T>(T[] a, int lda, T[] b, int ldb, T[] c, int ldc, int m, int k, int n,
        bool transA = false, bool transB = false, bool accumulate = false, int offset = 0)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        fixed (T* pa = a, pb = b, pc = c)
            Gemm.Multiply(pa + offset, lda, pb + offset, ldb, pc + offset, ldc, m, k, n, transA, transB, accumulate);
    }

    private static void StridedMatchesContiguous<T>(int m, int k, int n, bool transA, bool transB, bool accumulate, int spare = 7)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // Every block starts 3 elements into its wide matrix and leaves spare − 3 after each row, so spare columns lie on
        // both sides.
        const int offset = 3;
        var (aRows, aCols, bRows, bCols) = (transA ? k : m, transA ? m : k, transB ? n : k, transB ? k : n);
        var (lda, ldb, ldc) = (aCols + spare, bCols + spare, n + spare);
        T[] Wide(ulong seed, int rows, int stride) => Uniform(Key.FromSeed(seed), rows * stride).Select(T.CreateTruncating).ToArray();
        T[] Block(T[] wide, int rows, int cols, int stride) =>
            Enumerable.Range(0, rows).SelectMany(r => wide.Skip(offset + r * stride).Take(cols)).ToArray();
        bool InBlock(int i) => i >= offset && (i - offset) / ldc < m && (i - offset) % ldc < n;
        var (wa, wb, wc) = (Wide(21, aRows, lda), Wide(22, bRows, ldb), Wide(23, m, ldc));
        var (ca, cb, cc) = (Block(wa, aRows, aCols, lda), Block(wb, bRows, bCols, ldb), Block(wc, m, n, ldc));
        var before = (T[])wc.Clone();
        Gemm.Multiply<T>(ca, cb, cc, m, k, n, transA, transB, accumulate);
        StridedProduct(wa, lda, wb, ldb, wc, ldc, m, k, n, transA, transB, accumulate, offset);
        Assert.True(Block(wc, m, n, ldc).AsSpan().SequenceEqual(cc), $"{typeof(T).Name} {m}×{k}×{n}: the strided product differs from the contiguous one");
        for (var i = 0; i < wc.Length; i++)
            if (!InBlock(i))
                Assert.True(wc[i] == before[i], $"{typeof(T).Name} {m}×{k}×{n}: element {i} outside the C block was written");
    }

    [Fact]
    public void Multiply_from_several_threads_at_once_matches_one_thread_bit_for_bit()
    {
        // Large enough to run in parallel: concurrent callers share the workers or run inline.
        var (m, k, n) = (130, 200, 150);
        var a = Uniform(Key.FromSeed(11), m * k).Select(x => (float)x).ToArray();
        var b = Uniform(Key.FromSeed(12), k * n).Select(x => (float)x).ToArray();
        var expected = WithThreads(1, () =>
        {
            var c = new float[m * n];
            Gemm.Multiply<float>(a, b, c, m, k, n);
            return c;
        });
        var results = new float[4][];
        var callers = Enumerable.Range(0, results.Length).Select(t => new Thread(() =>
        {
            for (var rep = 0; rep < 20; rep++)
            {
                var c = new float[m * n];
                Gemm.Multiply<float>(a, b, c, m, k, n);
                results[t] = c;
            }
        })).ToArray();
        foreach (var t in callers) t.Start();
        foreach (var t in callers) t.Join();
        Assert.All(results, c => Assert.True(c.AsSpan().SequenceEqual(expected), "a concurrent product differs from the one-thread product"));
    }

    [Theory, MemberData(nameof(TransposeFlags))]
    public void MultiplyBatched_matches_naive_per_slice_and_is_bit_identical_for_one_two_and_three_threads(bool transA, bool transB)
    {
        // 64 heads of 40×33×30 (2.5M multiply-adds) are split over whole slices; 2 slices of 140×130×150 are each split themselves.
        foreach (var (batch, m, k, n) in (ReadOnlySpan<(int, int, int, int)>)[(64, 40, 33, 30), (2, 140, 130, 150)])
        {
            var a = Uniform(Key.FromSeed(13), batch * m * k);
            var b = Uniform(Key.FromSeed(14), batch * k * n);
            var c0 = Uniform(Key.FromSeed(15), batch * m * n);
            var runs = new[] { 1, 2, 3 }.Select(threads => WithThreads(threads, () =>
            {
                var c = (double[])c0.Clone();
                Gemm.MultiplyBatched<double>(a, b, c, batch, m, k, n, transA, transB, accumulate: true);
                return c;
            })).ToArray();
            foreach (var c in runs[1..])
                Assert.True(c.AsSpan().SequenceEqual(runs[0]), $"batch {batch} of {m}×{k}×{n} differs across thread counts");
            for (var i = 0; i < batch; i++)
            {
                var (sa, sb, sc) = (m * k, k * n, m * n);
                var expected = Naive(a[(i * sa)..((i + 1) * sa)], b[(i * sb)..((i + 1) * sb)], c0[(i * sc)..((i + 1) * sc)], m, k, n, transA, transB, accumulate: true);
                var scale = AbsoluteProducts(a[(i * sa)..((i + 1) * sa)], b[(i * sb)..((i + 1) * sb)], m, k, n, transA, transB);
                for (var j = 0; j < sc; j++)
                    Assert.True(Math.Abs(runs[0][i * sc + j] - expected[j]) <= 1e-12 * (scale[j] + Math.Abs(c0[i * sc + j])),
                        $"batch {batch} of {m}×{k}×{n}: slice {i} element {j} is {runs[0][i * sc + j]}, expected {expected[j]}");
            }
        }
    }

    [Fact]
    public void MultiplyBatched_with_short_spans_names_gemm_the_batch_and_the_dimensions()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MultiplyBatched<float>(new float[11], new float[24], new float[16], 2, 2, 3, 4));
        Assert.Contains("Gemm: batch=2, m=2, k=3, n=4 need A ≥ 12", ex.Message);
    }

    [Fact]
    public void Multiply_with_k_zero_gives_zeros_or_leaves_c_when_accumulating()
    {
        double[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Multiply<double>([], [], c, 2, 0, 3, accumulate: true);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], c);
        Gemm.Multiply<double>([], [], c, 2, 0, 3);
        Assert.Equal(new double[6], c);
    }

    [Fact]
    public void Multiply_with_m_or_n_zero_writes_nothing()
    {
        float[] c = [7, 8];
        Gemm.Multiply<float>([], [1, 2, 3], c, 0, 3, 1);
        Gemm.Multiply<float>([1, 2, 3], [], c, 1, 3, 0);
        Assert.Equal([7f, 8], c);
    }

    [Fact]
    public void Multiply_propagates_infinity_and_nan_exactly_like_the_naive_loop()
    {
        // 17×33 leaves partial tiles on both edges; the zero padding must not leak NaN (0·∞) into C.
        var (m, k, n) = (17, 5, 33);
        var a = Uniform(Key.FromSeed(9), m * k);
        var b = Uniform(Key.FromSeed(10), k * n);
        a[16 * k + 2] = double.PositiveInfinity;
        b[1 * n + 32] = double.NegativeInfinity;
        b[3 * n + 0] = double.NaN;
        var c = new double[m * n];
        Gemm.Multiply<double>(a, b, c, m, k, n);
        var expected = Naive(a, b, new double[m * n], m, k, n, false, false, false);
        for (var i = 0; i < m * n; i++)
        {
            Assert.Equal(double.IsNaN(expected[i]), double.IsNaN(c[i]));
            if (double.IsInfinity(expected[i])) Assert.Equal(expected[i], c[i]);
        }
    }

    [Theory, MemberData(nameof(TransposeFlags))]
    public void Multiply_of_integers_uses_the_generic_loop_exactly(bool transA, bool transB)
    {
        // [[1,2,3],[4,5,6]]·[[1,0],[0,1],[2,2]] = [[7,8],[16,17]]
        int[] a = transA ? [1, 4, 2, 5, 3, 6] : [1, 2, 3, 4, 5, 6];
        int[] b = transB ? [1, 0, 2, 0, 1, 2] : [1, 0, 0, 1, 2, 2];
        int[] c = [100, 100, 100, 100];
        Gemm.Multiply<int>(a, b, c, 2, 3, 2, transA, transB, accumulate: true);
        Assert.Equal([107, 108, 116, 117], c);
    }

    [Fact]
    public void Multiply_with_short_spans_names_gemm_and_the_dimensions()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(new float[5], new float[12], new float[8], 2, 3, 4));
        Assert.Contains("Gemm", ex.Message);
        Assert.Contains("m=2, k=3, n=4", ex.Message);
        Assert.Contains("A ≥ 6", ex.Message);
    }

    [Fact]
    public void Multiply_with_negative_dimension_names_gemm()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<double>([], [], [], -1, 0, 0));
        Assert.Contains("Gemm: dimensions must be non-negative, got m=-1", ex.Message);
    }

    [Fact]
    public void Thread_budget_below_one_is_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Compute.WithThreads(0));
        Assert.Contains("Compute.WithThreads", ex.Message);
    }

    private static void AssertMatchesNaive(int m, int k, int n, bool transA, bool transB, bool accumulate, Key key)
    {
        var (ka, rest) = key.Split();
        var (kb, kc) = rest.Split();
        var a = Uniform(ka, m * k);
        var b = Uniform(kb, k * n);
        var c0 = Uniform(kc, m * n);
        var c = (double[])c0.Clone();
        Gemm.Multiply<double>(a, b, c, m, k, n, transA, transB, accumulate);
        var expected = Naive(a, b, (double[])c0.Clone(), m, k, n, transA, transB, accumulate);
        var scale = AbsoluteProducts(a, b, m, k, n, transA, transB);
        for (var i = 0; i < m * n; i++)
        {
            var tolerance = 1e-12 * (scale[i] + (accumulate ? Math.Abs(c0[i]) : 0));
            Assert.True(Math.Abs(c[i] - expected[i]) <= tolerance,
                $"{m}×{k}×{n} transA={transA} transB={transB} accumulate={accumulate}: element {i} is {c[i]}, expected {expected[i]}");
        }
    }

    private static double[] Naive(double[] a, double[] b, double[] c, int m, int k, int n, bool transA, bool transB, bool accumulate)
    {
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < k; p++)
                    sum += At(a, i, p, m, k, transA) * At(b, p, j, k, n, transB);
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        return c;
    }

    // Σ_p |op(A)[i,p]|·|op(B)[p,j]|: the scale that bounds the rounding error of element (i, j).
    private static double[] AbsoluteProducts(double[] a, double[] b, int m, int k, int n, bool transA, bool transB) =>
        Naive(a.Select(Math.Abs).ToArray(), b.Select(Math.Abs).ToArray(), new double[m * n], m, k, n, transA, transB, false);

    // Element (r, col) of op(X), where op(X) is rows×cols and X is stored transposed when trans.
    private static double At(double[] x, int r, int col, int rows, int cols, bool trans) =>
        trans ? x[col * rows + r] : x[r * cols + col];

    private static double[] Uniform(Key key, int count) =>
        Sample.Uniform<double>(key, [count], -1, 1).ToArray();

    private static TResult WithThreads<TResult>(int threads, Func<TResult> run) => OnThreads.Run(threads, run);
}
