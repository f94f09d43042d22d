using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Sum over axes, <c>y = Σ_axes x</c>: over <c>axes</c> (every axis when null); the summed axes are dropped, or
/// kept with size 1 when <c>keepDims</c>.
/// </summary>
/// <remarks>
/// VJP: <c>dx = dy</c> broadcast back along the summed axes. Order: each output adds its terms one at a time in
/// x's row-major order, so results are reproducible on any machine and thread count. An empty sum is 0. A bad
/// or repeated axis throws an error naming the op and the shape.
/// </remarks>
public static class Sum
{
    /// <summary><c>y = Σ_axes x</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = Reduction.Of(nameof(Sum), x.Shape, axes, keepDims);
        return Broadcast.SumTo(x, r.Kept).Reshape(r.Output);
    }

    /// <summary><c>dx = dy</c> stretched along the summed axes to x's shape.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = Reduction.Of(nameof(Sum), x.Shape, axes, keepDims);
        r.RequireCotangent(nameof(Sum), x.Shape, dy);
        return Broadcast.To(dy.Reshape(r.Kept), x.Shape);
    }

    /// <summary>Sum on the tape (the axes are copied, so later changes to the array do not affect it).</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var frozen = axes?.ToArray();
        return Net.Unary(nameof(Sum), x, t => Forward(t, frozen, keepDims), (t, _, dy) => Vjp(t, dy, frozen, keepDims));
    }
}
