using System.Numerics;
using FunctionalNets.Kernels;
using FunctionalNets.Randomness;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class GemmBandTests
{
    // Square sides around the register tiles' edges (Mr 6, 8 or 14; Nr 8 to 32), and 300: past a float k-block (256)
    // and, against 100 columns or terms, large enough for the threads' row parts.
    private static readonly int[] Sides = [1, 6, 7, 15, 33, 64, 300];

    // The bands by name: the enum is internal to the library.
    public static TheoryData<int, string> Cases => new()
    {
        { 1, nameof(GemmBand.Lower) }, { 2, nameof(GemmBand.Lower) },
        { 1, nameof(GemmBand.TermsUpToRow) }, { 2, nameof(GemmBand.TermsUpToRow) },
        { 1, nameof(GemmBand.TermsFromRow) }, { 2, nameof(GemmBand.TermsFromRow) },
    };

    [Theory, MemberData(nameof(Cases))]
    public void A_band_keeps_the_bits_of_the_full_product_where_it_promises_them(int threads, string name) =>
        OnThreads.Run(threads, () =>
        {
            foreach (var bits in AtEveryWidth.Widths)
            {
                using var width = VectorWidth.Use(bits);
                foreach (var side in Sides)
                    foreach (var (transA, transB) in new[] { (false, false), (false, true), (true, false), (true, true) })
                    {
                        var other = side == 300 ? 100 : 40;
                        AssertBand<float>(Enum.Parse<GemmBand>(name), side, other, transA, transB, $"float, {bits} bits");
                        AssertBand<double>(Enum.Parse<GemmBand>(name), side, other, transA, transB, $"double, {bits} bits");
                    }
            }
        });

    [Fact]
    public void Lower_leaves_the_tiles_above_the_diagonal_as_they_were()
    {
        // Rows 0…13 are one tile at every width (Mr ≤ 14), and the columns it needs sit in the first sliver (Nr ≥ 8, the
        // diagonal at 13 < 16 for float), so the last columns of row 0 are never written.
        const int n = 64;
        var (a, b) = (Normal<float>(1, n * 8), Normal<float>(2, 8 * n));
        foreach (var bits in AtEveryWidth.Widths)
        {
            using var width = VectorWidth.Use(bits);
            var c = Enumerable.Repeat(float.NaN, n * n).ToArray();
            Product(a, b, c, n, 8, n, false, false, GemmBand.Lower);
            Assert.True(float.IsNaN(c[n - 1]), $"{bits} bits: C[0, {n - 1}] was computed");
            Assert.False(float.IsNaN(c[(n - 1) * n]), $"{bits} bits: C[{n - 1}, 0] was not computed");
        }
    }

    [Theory]
    [InlineData(nameof(GemmBand.TermsUpToRow))]
    [InlineData(nameof(GemmBand.TermsFromRow))]
    public void A_terms_band_does_not_read_the_terms_it_leaves_out(string name)
    {
        var band = Enum.Parse<GemmBand>(name);
        // A NaN in the one row of op(B) that a far row's terms never reach (the last for rows that stop early, the
        // first for rows that start late) reaches every row of the full product, but not that row of the banded one.
        const int n = 64, cols = 9;
        var a = Normal<float>(3, n * n);
        ZeroOutsideBand(a, n, band, transA: false);
        var b = Normal<float>(4, n * cols);
        var (nanRow, farRow) = band == GemmBand.TermsUpToRow ? (n - 1, 0) : (0, n - 1);
        b.AsSpan(nanRow * cols, cols).Fill(float.NaN);
        foreach (var bits in AtEveryWidth.Widths)
        {
            using var width = VectorWidth.Use(bits);
            var (full, banded) = (new float[n * cols], new float[n * cols]);
            Product(a, b, full, n, n, cols, false, false, GemmBand.Full);
            Product(a, b, banded, n, n, cols, false, false, band);
            Assert.True(float.IsNaN(full[farRow * cols]), $"{bits} bits: the full product did not meet the NaN");
            Assert.False(float.IsNaN(banded[farRow * cols]), $"{bits} bits: row {farRow} read a term its band leaves out");
        }
    }

    // The banded product against the full one: every element for a terms band (op(A) zero outside it), the elements
    // on and below the diagonal for Lower.
    private static void AssertBand<T>(GemmBand band, int side, int other, bool transA, bool transB, string where)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, k, n) = band == GemmBand.Lower ? (side, other, side) : (side, side, other);
        var a = Normal<T>((ulong)(side * 7 + other), m * k);
        if (band != GemmBand.Lower) ZeroOutsideBand(a, side, band, transA);
        var b = Normal<T>((ulong)(side * 11 + other), k * n);
        var (full, banded) = (new T[m * n], new T[m * n]);
        Product(a, b, full, m, k, n, transA, transB, GemmBand.Full);
        Product(a, b, banded, m, k, n, transA, transB, band);
        for (var i = 0; i < m; i++)
            for (var j = 0; j < (band == GemmBand.Lower ? i + 1 : n); j++)
                if (!BitEqual(full[i * n + j], banded[i * n + j]))
                    Assert.Fail($"{where}, {band}, m={m}, k={k}, n={n}, transA={transA}, transB={transB}: C[{i}, {j}] is {banded[i * n + j]}, the full product {full[i * n + j]}");
    }

    // Zeroes op(A)[i, p] outside the band (A square, side × side, stored transposed when transA).
    private static void ZeroOutsideBand<T>(T[] a, int side, GemmBand band, bool transA)
        where T : unmanaged, INumber<T>
    {
        for (var i = 0; i < side; i++)
            for (var p = 0; p < side; p++)
                if (band == GemmBand.TermsUpToRow ? p > i : p < i)
                    a[transA ? p * side + i : i * side + p] = T.Zero;
    }

    private static unsafe void Product<T>(T[] a, T[] b, T[] c, int m, int k, int n, bool transA, bool transB, GemmBand band)
        where T : unmanaged, INumber<T>
    {
        fixed (T* pa = a, pb = b, pc = c)
            Gemm.Multiply(pa, transA ? m : k, pb, transB ? k : n, pc, n, m, k, n, transA, transB, band: band);
    }

    private static bool BitEqual<T>(T x, T y)
        where T : unmanaged =>
        typeof(T) == typeof(float)
            ? BitConverter.SingleToInt32Bits((float)(object)x) == BitConverter.SingleToInt32Bits((float)(object)y)
            : BitConverter.DoubleToInt64Bits((double)(object)x) == BitConverter.DoubleToInt64Bits((double)(object)y);

    private static T[] Normal<T>(ulong seed, int length)
        where T : unmanaged, IFloatingPointIeee754<T> => Sample.Normal<T>(Key.FromSeed(seed), [length]).ToArray();
}
