using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>
/// Mean over axes, <c>y = (Σ_axes x) / n</c> with n the number of elements averaged: over <c>axes</c> (every axis
/// when null); the averaged axes are dropped, or kept with size 1 when <c>keepDims</c>.
/// </summary>
/// <remarks>
/// VJP: <c>dx = dy / n</c> broadcast back along the averaged axes. The sum is <see cref="Sum"/>'s (fixed order),
/// then divided by n, so <c>Mean = Sum / n</c> holds bit for bit. Averaging over no elements (an axis of length 0)
/// is an error, as in every mean loss (<see cref="MeanSquaredError"/>, <see cref="BinaryCrossEntropy"/>,
/// <see cref="CrossEntropy"/>): an empty batch has no mean, and 0/0 = NaN would only surface later.
/// </remarks>
public static class Mean
{
    /// <summary><c>y = (Σ_axes x) / n</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = Averaged(x.Shape, axes, keepDims);
        var sum = Broadcast.SumTo(x, r.Kept);
        return Tensor.Build<T>(r.Output, y => TensorPrimitives.Divide(sum.Span, T.CreateChecked(r.Count), y));
    }

    /// <summary><c>dx = dy / n</c> stretched along the averaged axes to x's shape.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = Averaged(x.Shape, axes, keepDims);
        r.RequireCotangent(nameof(Mean), x.Shape, dy);
        var share = Tensor.Build<T>(r.Kept, g => TensorPrimitives.Divide(dy.Span, T.CreateChecked(r.Count), g));
        return Broadcast.To(share, x.Shape);
    }

    /// <summary>Mean on the tape (the axes are copied, so later changes to the array do not affect it).</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, int[]? axes = null, bool keepDims = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var frozen = axes?.ToArray();
        return Net.Unary(nameof(Mean), x, t => Forward(t, frozen, keepDims), (t, _, dy) => Vjp(t, dy, frozen, keepDims));
    }

    private static Reduction Averaged(Shape x, int[]? axes, bool keepDims)
    {
        var r = Reduction.Of(nameof(Mean), x, axes, keepDims);
        Check.Averages(nameof(Mean), r.Count, $"shape {x}, axes {(axes is null ? "all" : $"[{string.Join(", ", axes)}]")}");
        return r;
    }
}
