using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Square root <c>y = √x</c>, elementwise.</summary>
/// <remarks>
/// VJP: <c>dx = dy / (2y)</c>, from the output, so x is not kept. √0 = 0 with dx = ±∞ (NaN where dy = 0);
/// √x = NaN for x &lt; 0, and so is dx.
/// </remarks>
public static class Sqrt
{
    /// <summary><c>y = √x</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Sqrt(x.Span, y));

    /// <summary><c>dx = dy / (2y)</c> given the forward output <paramref name="y"/>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> y, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Sqrt), y, dy);
        return Tensor.Build<T>(y.Shape, dx =>
        {
            TensorPrimitives.Add(y.Span, y.Span, dx); // 2y, exact
            TensorPrimitives.Divide(dy.Span, dx, dx);
        });
    }

    /// <summary>Sqrt on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Sqrt), x, Forward, (_, y, dy) => Vjp(y, dy));
}
