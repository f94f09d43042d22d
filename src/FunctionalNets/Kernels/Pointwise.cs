using System.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>
/// An <see cref="IBroadcastOp{T}"/> over whole buffers, spread over the threads: <c>y = op(a, b)</c> for operands as
/// long as y, or with b one row applied to every row of a. The ops are one IEEE operation per element (add,
/// subtract, multiply, divide: correctly rounded in any vector width), so where the parts are cut changes no result.
/// </summary>
/// <remarks>
/// A residual add or a bias add over a [B, T, C] activation is a pass over memory that the main thread would
/// otherwise make alone while the workers wait for the next product.
/// </remarks>
internal static unsafe class Pointwise
{
    // Elements per part of an equal-length pass: whole cache lines of floats or doubles.
    private const int Chunk = 4096;

    /// <summary><c>y[i] = op(a[i], b[i])</c>; a and b as long as y (either may be y itself).</summary>
    public static void Same<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where TOp : IBroadcastOp<T>
        where T : unmanaged, INumber<T>
    {
        if (a.Length != y.Length || b.Length != y.Length)
            throw new ArgumentException($"Pointwise: operands of {a.Length} and {b.Length} elements for {y.Length} outputs");
        fixed (T* pa = a, pb = b, py = y)
            Partition.For((y.Length + Chunk - 1) / Chunk, Chunk, new Parts<TOp, T>(pa, pb, py, y.Length, Chunk, repeatB: false));
    }

    /// <summary>
    /// <c>y[r, j] = op(a[r, j], row[j])</c> for every row r of a; a as long as y (it may be y itself), a whole number
    /// of rows.
    /// </summary>
    public static void EachRow<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> row, Span<T> y)
        where TOp : IBroadcastOp<T>
        where T : unmanaged, INumber<T>
    {
        if (a.Length != y.Length || row.IsEmpty || y.Length % row.Length != 0)
            throw new ArgumentException($"Pointwise: {a.Length} elements into {y.Length} outputs, not whole rows of {row.Length}");
        fixed (T* pa = a, pb = row, py = y)
            Partition.For(y.Length / row.Length, row.Length, new Parts<TOp, T>(pa, pb, py, y.Length, row.Length, repeatB: true));
    }

    /// <summary>Item i is elements [i·width, min((i + 1)·width, n)), against b's same elements or b's one row.</summary>
    private readonly struct Parts<TOp, T>(T* a, T* b, T* y, int n, int width, bool repeatB) : IRangeBody
        where TOp : IBroadcastOp<T>
        where T : unmanaged, INumber<T>
    {
        public void Run(int start, int end)
        {
            if (repeatB)
                for (var item = start; item < end; item++)
                    TOp.Invoke(new ReadOnlySpan<T>(a + (nint)item * width, width), new ReadOnlySpan<T>(b, width), new Span<T>(y + (nint)item * width, width));
            else
            {
                var (from, to) = ((nint)start * width, Math.Min((nint)end * width, n));
                TOp.Invoke(new ReadOnlySpan<T>(a + from, (int)(to - from)), new ReadOnlySpan<T>(b + from, (int)(to - from)), new Span<T>(y + from, (int)(to - from)));
            }
        }
    }
}
