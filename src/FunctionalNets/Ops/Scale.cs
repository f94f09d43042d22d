using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Multiplication by a constant scalar, <c>y = s·x</c>, elementwise.</summary>
/// <remarks>VJP: <c>dx = s·dy</c>; s is a constant and gets no cotangent. IEEE products: 0·∞ = NaN. No residuals.</remarks>
public static class Scale
{
    /// <summary><c>y = s·x</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, T s)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Multiply(x.Span, s, y));

    /// <summary><c>dx = s·dy</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> dy, T s)
        where T : unmanaged, IFloatingPointIeee754<T> => Forward(dy, s);

    /// <summary>Scale by <paramref name="s"/> on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, T s)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(Scale), [x], Forward(x.Value, s), dy => [Vjp(dy, s)]);
}
