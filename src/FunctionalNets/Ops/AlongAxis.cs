using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Runs a row kernel (one that works on the last axis of a [rows, cols] view, like <c>Kernels.Rows</c>) along any
/// axis. The last axis runs in place; any other axis is moved last with <see cref="Transpose"/>, the kernel runs,
/// and the result is moved back: two extra copies, in exchange for one tested kernel per function.
/// </summary>
internal static class AlongAxis
{
    /// <summary>A row kernel of one input.</summary>
    public delegate void RowMap<T>(ReadOnlySpan<T> x, Span<T> y, int rows, int cols);

    /// <summary>A row kernel of two same-shaped inputs (an output and its cotangent).</summary>
    public delegate void RowZip<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y, int rows, int cols);

    /// <summary><c>kernel</c> applied to every 1-D line of <paramref name="x"/> along <paramref name="axis"/>.</summary>
    public static Tensor<T> Map<T>(string op, Tensor<T> x, int axis, RowMap<T> kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = x.Shape.Axis(axis, op);
        if (a == x.Rank - 1)
            return Run(x, kernel);
        var perm = Transpose.MoveToEnd(x.Rank, a);
        return Transpose.Permuted(Run(Transpose.Permuted(x, perm), kernel), Transpose.Inverse(perm));
    }

    /// <summary><c>kernel</c> applied to matching lines of <paramref name="a"/> and <paramref name="b"/> along <paramref name="axis"/>.</summary>
    public static Tensor<T> Zip<T>(string op, Tensor<T> a, Tensor<T> b, int axis, RowZip<T> kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(op, a, b);
        var ax = a.Shape.Axis(axis, op);
        if (ax == a.Rank - 1)
            return Run(a, b, kernel);
        var perm = Transpose.MoveToEnd(a.Rank, ax);
        return Transpose.Permuted(Run(Transpose.Permuted(a, perm), Transpose.Permuted(b, perm), kernel), Transpose.Inverse(perm));
    }

    private static Tensor<T> Run<T>(Tensor<T> x, RowMap<T> kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, cols) = (x.Shape.SizeOf(0, x.Rank - 1), x.Shape[-1]);
        return Tensor.Build<T>(x.Shape, y => kernel(x.Span, y, rows, cols));
    }

    private static Tensor<T> Run<T>(Tensor<T> a, Tensor<T> b, RowZip<T> kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (rows, cols) = (a.Shape.SizeOf(0, a.Rank - 1), a.Shape[-1]);
        return Tensor.Build<T>(a.Shape, y => kernel(a.Span, b.Span, y, rows, cols));
    }
}
