using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>Row-wise kernels over a [rows, cols] view of a contiguous buffer; each row is reduced in index order.</summary>
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
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            if (cols == 0) continue;
            var max = TensorPrimitives.Max(xr);
            if (T.IsNegativeInfinity(max))
            {
                yr.Clear();
                continue;
            }
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            TensorPrimitives.Divide(yr, TensorPrimitives.Sum<T>(yr), yr);
        }
    }

    /// <summary>
    /// Max-shifted log-softmax of each row: <c>y = x − max − log Σ exp(x − max)</c>. Masked (−∞) entries stay −∞;
    /// a fully masked row stays all −∞.
    /// </summary>
    public static void LogSoftmax<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            if (cols == 0) continue;
            var max = TensorPrimitives.Max(xr);
            if (T.IsNegativeInfinity(max))
            {
                xr.CopyTo(yr);
                continue;
            }
            TensorPrimitives.Subtract(xr, max, yr);
            TensorPrimitives.Exp(yr, yr);
            var logSum = T.Log(TensorPrimitives.Sum<T>(yr));
            TensorPrimitives.Subtract(xr, max + logSum, yr);
        }
    }

    /// <summary>Softmax VJP per row from the output: <c>dx = y ⊙ (dy − ⟨dy, y⟩)</c>.</summary>
    public static void SoftmaxVjp<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> dx, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> yr = y.Slice(r * cols, cols), gr = dy.Slice(r * cols, cols);
            var dr = dx.Slice(r * cols, cols);
            var dot = TensorPrimitives.Dot(yr, gr);
            TensorPrimitives.Subtract(gr, dot, dr);
            TensorPrimitives.Multiply(dr, yr, dr);
        }
    }
}
