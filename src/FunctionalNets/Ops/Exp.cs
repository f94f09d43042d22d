using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Exponential <c>y = eˣ</c>, elementwise.</summary>
/// <remarks>
/// VJP: <c>dx = dy·y</c>, from the output, so x is not kept. exp(−∞) = 0, exp(+∞) = +∞, and large x overflows
/// to +∞ (x &gt; 709.78 in double, 88.72 in float).
/// </remarks>
public static class Exp
{
    /// <summary><c>y = eˣ</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Exp(x.Span, y));

    /// <summary><c>dx = dy·y</c> given the forward output <paramref name="y"/>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> y, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Exp), y, dy);
        return Tensor.Build<T>(y.Shape, dx => TensorPrimitives.Multiply(dy.Span, y.Span, dx));
    }

    /// <summary>Exp on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Exp), x, Forward, (_, y, dy) => Vjp(y, dy));
}
