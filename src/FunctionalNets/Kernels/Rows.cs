using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// Row-wise kernels over a [rows, cols] view of a contiguous buffer. Row sums and dot products are
/// <see cref="LaneSum"/>'s, in one order on every vector width; the maximum is exact in any order.
/// </summary>
internal static class Rows
{
    /// <summary>
    /// Max-shifted softmax of each row: <c>y = exp(x − max) / Σ exp(x − max)</c>. A row whose entries are all
    /// −∞ (fully masked) gives zeros rather than NaN.
    /// </summary>
    public static void Softmax<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            if (ShiftedExp(x.Slice(r * cols, cols), yr, out _, out var sum))
                TensorPrimitives.Divide(yr, sum, yr);
            else
                yr.Clear();
        }
    }

    /// <summary>
    /// <see cref="Softmax{T}"/> of square [n, n] rows whose entries above the diagonal are −∞ (a causal mask), with
    /// the same bits: row i exponentiates only its entries 0 … i, and writes after them the +0 that exp(−∞) gives.
    /// </summary>
    /// <remarks>
    /// The maximum and the exponentials are those of the whole row (each entry's exponential is the same whatever span
    /// it is computed in: float's on every span, double's because a −∞ already ends the span TensorPrimitives gets), and
    /// the sum and the division still run over the whole row, as <see cref="Softmax{T}"/> does.
    /// </remarks>
    public static void CausalSoftmax<T>(ReadOnlySpan<T> x, Span<T> y, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < n; r++)
        {
            var yr = y.Slice(r * n, n);
            if (Shifted(x.Slice(r * n, r + 1), yr[..(r + 1)], out _))
            {
                yr[(r + 1)..].Clear();
                TensorPrimitives.Divide(yr, LaneSum.Sum<T>(yr), yr);
            }
            else
                yr.Clear();
        }
    }

    /// <summary>
    /// Max-shifted log-softmax of each row: <c>y = (x − max) − log Σ exp(x − max)</c>. Masked (−∞) entries stay −∞;
    /// a fully masked row stays all −∞. y must not alias x (x is read again after y holds the exponentials).
    /// </summary>
    /// <remarks>
    /// x − max is formed first: it is exact when x is near max, whatever the row's offset, whereas x − (max + log Σ)
    /// rounds max + log Σ to the offset's ulp (3.8e-9 at an offset of 1e8).
    /// </remarks>
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            if (ShiftedExp(xr, yr, out var max, out var sum))
            {
                TensorPrimitives.Subtract(xr, max, yr);
                TensorPrimitives.Subtract(yr, T.Log(sum), yr);
            }
            else
                xr.CopyTo(yr);
        }
    }

    /// <summary>
    /// Writes <c>exp(x − max)</c> to y and returns its sum; false (y untouched) for an empty or fully masked
    /// (all −∞) row, which has no finite shift. y may alias x.
    /// </summary>
    private static bool ShiftedExp<T>(ReadOnlySpan<T> x, Span<T> y, out T max, out T sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        sum = T.Zero;
        if (!Shifted(x, y, out max)) return false;
        sum = LaneSum.Sum<T>(y);
        return true;
    }

    /// <summary><c>exp(x − max)</c> into y, as <see cref="ShiftedExp{T}"/> without the sum.</summary>
    private static bool Shifted<T>(ReadOnlySpan<T> x, Span<T> y, out T max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        max = T.Zero;
        if (x.IsEmpty) return false;
        max = TensorPrimitives.Max(x);
        if (T.IsNegativeInfinity(max)) return false;
        TensorPrimitives.Subtract(x, max, y);
        NonPositiveExp.Into<T>(y, y);
        return true;
    }

    /// <summary>Softmax VJP per row from the output: <c>dx = y ⊙ (dy − ⟨dy, y⟩)</c>.</summary>
    public static void SoftmaxVjp<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> yr = y.Slice(r * cols, cols), gr = dy.Slice(r * cols, cols);
            var dr = dx.Slice(r * cols, cols);
            var dot = LaneSum.Dot(yr, gr);
            TensorPrimitives.Subtract(gr, dot, dr);
            TensorPrimitives.Multiply(dr, yr, dr);
        }
    }

    /// <summary>
    /// Log-softmax VJP per row from the output: <c>dx = dy − exp(y)·Σ dy</c> (exp(y) is the softmax). Masked
    /// entries (y = −∞) get <c>dx = dy</c>, finite; so does a fully masked row, whose output is its input.
    /// </summary>
    public static void LogSoftmaxVjp<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> yr = y.Slice(r * cols, cols), gr = dy.Slice(r * cols, cols);
            var dr = dx.Slice(r * cols, cols);
            var sum = LaneSum.Sum(gr);
            NonPositiveExp.Into<T>(yr, dr);
            TensorPrimitives.MultiplyAdd(dr, -sum, gr, dr);
        }
    }
}
