using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Maximum along one axis, <c>y = max_k x[…, k, …]</c>; the axis is dropped, or kept with size 1 when
/// <c>keepDims</c>.
/// </summary>
/// <remarks>
/// VJP: <c>dy</c> goes to the FIRST index of the maximum along the axis and every other element gets 0, so a tie
/// routes the whole cotangent to its lowest index (a subgradient). A NaN counts as the largest value: a slice with
/// a NaN gives NaN, and the cotangent goes to its first NaN. An empty axis has no maximum and throws, as does a bad
/// axis; both errors name the op and the shape.
/// </remarks>
public static class Max
{
    /// <summary><c>y = max_k x[…, k, …]</c> along <paramref name="axis"/>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, int axis, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (r, outer, n, inner) = Along(x.Shape, axis, keepDims);
        var argmax = new int[r.Output.Size];
        return Tensor.Build<T>(r.Output, y => Reduce.MaxAlong(x.Span, y, argmax, outer, n, inner));
    }

    /// <summary><c>dx[…, k, …] = dy</c> at the first maximising k, 0 elsewhere.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy, int axis, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (r, outer, n, inner) = Along(x.Shape, axis, keepDims);
        r.RequireCotangent(nameof(Max), x.Shape, dy);
        var argmax = new int[r.Output.Size];
        Reduce.MaxAlong(x.Span, new T[r.Output.Size], argmax, outer, n, inner);
        return Tensor.BuildZeroed<T>(x.Shape, dx => Reduce.ScatterAlong(dy.Span, argmax, dx, outer, n, inner));
    }

    /// <summary>Max on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, int axis, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Unary(nameof(Max), x, t => Forward(t, axis, keepDims), (t, _, dy) => Vjp(t, dy, axis, keepDims));

    // x viewed as [outer, n, inner] around the reduced axis.
    private static (Reduction R, int Outer, int N, int Inner) Along(Shape shape, int axis, bool keepDims)
    {
        var r = Reduction.Of(nameof(Max), shape, [axis], keepDims);
        var a = shape.Axis(axis, nameof(Max));
        if (shape[a] == 0)
            throw new ArgumentException($"{nameof(Max)}: axis {axis} of shape {shape} is empty, so it has no maximum");
        return (r, shape.SizeOf(0, a), shape[a], shape.SizeOf(a + 1, shape.Rank));
    }
}
