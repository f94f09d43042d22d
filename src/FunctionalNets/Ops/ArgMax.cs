using System.Numerics;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Position of the maximum along one axis, <c>y[…] = argmax_k x[…, k, …]</c>, as int ids; the axis is dropped, or
/// kept with size 1 when <c>keepDims</c>.
/// </summary>
/// <remarks>
/// Ties go to the lowest index; a NaN counts as the largest value, so a slice with a NaN gives the index of its first
/// NaN (the position <see cref="Max"/> routes its cotangent to). Not differentiable: the result is an integer, so
/// there is no VJP and no tape lift (use <see cref="Max"/> for a differentiable maximum). An empty axis has no
/// maximum and throws, as does a bad axis; both errors name the op and the shape.
/// </remarks>
public static class ArgMax
{
    /// <summary><c>y = argmax_k x[…, k, …]</c> along <paramref name="axis"/> (the last by default).</summary>
    public static Tensor<int> Forward<T>(Tensor<T> x, int axis = -1, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = Reduction.Of(nameof(ArgMax), x.Shape, [axis], keepDims);
        var a = x.Shape.Axis(axis, nameof(ArgMax));
        if (x.Shape[a] == 0)
            throw new ArgumentException($"{nameof(ArgMax)}: axis {axis} of shape {x.Shape} is empty, so it has no maximum");
        var (outer, n, inner) = (x.Shape.SizeOf(0, a), x.Shape[a], x.Shape.SizeOf(a + 1, x.Rank));
        return Tensor.Build<int>(r.Output, y => Reduce.MaxAlong(x.Span, new T[r.Output.Size], y, outer, n, inner));
    }
}
