using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Square <c>y = x²</c>, elementwise.</summary>
/// <remarks>VJP: <c>dx = 2x·dy</c>. Residuals: x. |x| beyond √max (≈1.34e154 in double, 1.84e19 in float) overflows to +∞.</remarks>
public static class Square
{
    /// <summary><c>y = x²</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Multiply(x.Span, x.Span, y));

    /// <summary><c>dx = 2x·dy</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Square), x, dy);
        return Tensor.Build<T>(x.Shape, dx =>
        {
            TensorPrimitives.Add(x.Span, x.Span, dx); // 2x, exact
            TensorPrimitives.Multiply(dx, dy.Span, dx);
        });
    }

    /// <summary>Square on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Square), x, Forward, (x, _, dy) => Vjp(x, dy));
}
