using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>Row-wise VJPs over a [rows, cols] view that <see cref="Rows"/> does not have; each row reduced in index order.</summary>
internal static class RowGrads
{
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
            var sum = TensorPrimitives.Sum(gr);
            TensorPrimitives.Exp(yr, dr);
            TensorPrimitives.MultiplyAdd(dr, -sum, gr, dr);
        }
    }
}
