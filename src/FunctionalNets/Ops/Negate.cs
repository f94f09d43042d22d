using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Negation <c>y = −x</c>, elementwise.</summary>
/// <remarks>VJP: <c>dx = −dy</c>. Exact: only the sign bit flips (0 ↔ −0, NaN stays NaN). No residuals.</remarks>
public static class Negate
{
    /// <summary><c>y = −x</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Negate(x.Span, y));

    /// <summary><c>dx = −dy</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T> => Forward(dy);

    /// <summary>Negate on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(Negate), [x], Forward(x.Value), dy => [Vjp(dy)]);
}
