using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Natural logarithm <c>y = ln x</c>, elementwise.</summary>
/// <remarks>
/// VJP: <c>dx = dy / x</c>. Residuals: x. Outside the domain the IEEE values pass through, unclamped:
/// ln 0 = −∞ with dx = dy/0 = ±∞ (NaN where dy = 0); ln x = NaN for x &lt; 0, where dx = dy/x is still
/// computed (the NaN in the forward already marks the point); ln(+∞) = +∞.
/// </remarks>
public static class Log
{
    /// <summary><c>y = ln x</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Log(x.Span, y));

    /// <summary><c>dx = dy / x</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Log), x, dy);
        return Tensor.Build<T>(x.Shape, dx => TensorPrimitives.Divide(dy.Span, x.Span, dx));
    }

    /// <summary>Log on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Log), x, Forward, (x, _, dy) => Vjp(x, dy));
}
