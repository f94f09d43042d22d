using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Joins tensors end to end along one axis: <c>y = [x₀ | x₁ | … ]</c>. All inputs have the same rank and agree on
/// every other axis; <c>y.Shape[axis] = Σ xᵢ.Shape[axis]</c>.
/// </summary>
/// <remarks>VJP: <c>dxᵢ</c> is the i-th piece of dy, <c>split(dy, sizes, axis)</c>; only the input shapes are
/// kept. Inputs of length 0 along the axis are allowed and get empty cotangents.</remarks>
public static class Concat
{
    /// <summary><c>y = concat(xs, axis)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T>[] xs, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (shape, a) = Joined(Array.ConvertAll(xs, x => x.Shape), axis);
        return Tensor.Build<T>(shape, y => Join(xs, shape, a, y));
    }

    /// <summary><c>dxᵢ = dy[…, offsetᵢ : offsetᵢ + sizeᵢ, …]</c>, one per input of shape <paramref name="xs"/>.</summary>
    public static Tensor<T>[] Vjp<T>(Shape[] xs, int axis, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (shape, a) = Joined(xs, axis);
        if (dy.Shape != shape)
            throw new ArgumentException($"{nameof(Concat)}: dy shape {dy.Shape} does not match the output {shape}");
        return Split.Forward(dy, [.. xs.Select(s => s[a])], a);
    }

    /// <summary>Concat on the tape: one node with an input per tensor.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T>[] xs, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record(nameof(Concat), xs, Forward(Array.ConvertAll(xs, x => x.Value), axis),
            dy => Vjp(Array.ConvertAll(xs, x => x.Shape), axis, dy));

    /// <summary>Writes each part as its band of <paramref name="y"/> (of <paramref name="shape"/>) along the normalised axis.</summary>
    private static void Join<T>(Tensor<T>[] parts, Shape shape, int axis, Span<T> y)
        where T : unmanaged, INumber<T>
    {
        var (outer, inner) = Slice.Around(shape, axis);
        var width = shape[axis] * inner;
        var at = 0;
        foreach (var part in parts)
        {
            var n = part.Shape[axis] * inner;
            Bands.Copy(part.Span, n, 0, y, width, at, n, outer);
            at += n;
        }
    }

    /// <summary>The output shape and the normalised axis, or an error naming every shape.</summary>
    private static (Shape Shape, int Axis) Joined(Shape[] xs, int axis)
    {
        if (xs.Length == 0)
            throw new ArgumentException($"{nameof(Concat)}: needs at least one tensor");
        var a = xs[0].Axis(axis, nameof(Concat));
        var first = xs[0].Without(a);
        if (xs.Any(s => s.Rank != xs[0].Rank || s.Without(a) != first))
            throw new ArgumentException($"{nameof(Concat)}: shapes {string.Join(", ", xs.Select(s => s.ToString()))} must agree on every axis but {axis}");
        return (xs[0].WithDim(a, xs.Sum(s => s[a])), a);
    }
}
