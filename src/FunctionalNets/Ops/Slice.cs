using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// The entries <c>start ≤ i &lt; end</c> along one axis: <c>y = x[…, start:end, …]</c>, with
/// <c>0 ≤ start ≤ end ≤ x.Shape[axis]</c>; the other axes are kept whole.
/// </summary>
/// <remarks>VJP: <c>dx</c> is zero except <c>dx[…, start:end, …] = dy</c> (dy zero-padded back to x's shape); only
/// x's shape is kept. Negative axes count from the end; start and end do not.</remarks>
public static class Slice
{
    /// <summary><c>y = x[…, start:end, …]</c> along <paramref name="axis"/>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, int axis, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Validate(nameof(Slice), x.Shape, axis, start, end);
        return Band(x, a, start, end - start);
    }

    /// <summary><c>dx = pad(dy)</c>: zeros of shape <paramref name="x"/> with dy written at <c>[start, end)</c> along the axis.</summary>
    public static Tensor<T> Vjp<T>(Shape x, int axis, int start, int end, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Validate(nameof(Slice), x, axis, start, end);
        var expected = x.WithDim(a, end - start);
        if (dy.Shape != expected)
            throw new ArgumentException($"{nameof(Slice)}: dy shape {dy.Shape} does not match the slice {expected} of {x}");
        var (outer, inner) = Around(x, a);
        var n = (end - start) * inner;
        return Tensor.BuildZeroed<T>(x, dx => Bands.Copy(dy.Span, n, 0, dx, x[a] * inner, start * inner, n, outer));
    }

    /// <summary>Slice on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, int axis, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Unary(nameof(Slice), x, v => Forward(v, axis, start, end), (v, _, dy) => Vjp(v.Shape, axis, start, end, dy));

    /// <summary>The sizes of the axes before and after <paramref name="axis"/> (normalised): x is <c>[outer, x[axis], inner]</c>.</summary>
    internal static (int Outer, int Inner) Around(Shape x, int axis) => (x.SizeOf(0, axis), x.SizeOf(axis + 1, x.Rank));

    /// <summary>The <paramref name="length"/> entries from <paramref name="start"/> along a normalised, checked axis.</summary>
    internal static Tensor<T> Band<T>(Tensor<T> x, int axis, int start, int length)
        where T : unmanaged, INumber<T>
    {
        var (outer, inner) = Around(x.Shape, axis);
        var n = length * inner;
        return Tensor.Build<T>(x.Shape.WithDim(axis, length), y => Bands.Copy(x.Span, x.Shape[axis] * inner, start * inner, y, n, 0, n, outer));
    }

    private static int Validate(string op, Shape x, int axis, int start, int end)
    {
        var a = x.Axis(axis, op);
        if (start < 0 || start > end || end > x[a])
            throw new ArgumentException($"{op}: range [{start}, {end}) is not within [0, {x[a]}] on axis {axis} of {x}");
        return a;
    }
}
