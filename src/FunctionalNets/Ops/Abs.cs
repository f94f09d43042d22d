using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Absolute value <c>y = |x|</c>, elementwise.</summary>
/// <remarks>
/// VJP: <c>dx = sign(x)·dy</c> with sign(±0) = 0: at the kink x = 0 the cotangent is 0 (the subgradient of least
/// norm, as JAX and PyTorch choose), and sign(NaN) = NaN, so a NaN input gives a NaN cotangent. Residuals: x.
/// </remarks>
public static class Abs
{
    /// <summary><c>y = |x|</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Abs(x.Span, y));

    /// <summary><c>dx = sign(x)·dy</c>, 0 where x = 0.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Abs), x, dy);
        return Tensor.Build<T>(x.Shape, dx => Map.Binary<SignTimes<T>, T>(x.Span, dy.Span, dx));
    }

    /// <summary>Abs on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Abs), x, Forward, (x, _, dy) => Vjp(x, dy));

    private readonly struct SignTimes<T> : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T g) => x > T.Zero ? g : x < T.Zero ? -g : T.IsNaN(x) ? x : T.Zero;

        public static TV Invoke<TV>(TV x, TV g)
            where TV : unmanaged, ISimd<TV, T>
        {
            var zero = TV.Zero;
            var signed = TV.Select(TV.GreaterThan(x, zero), g, TV.Select(TV.LessThan(x, zero), -g, zero));
            // x ≠ x only for NaN, which passes through.
            return TV.Select(TV.Equal(x, x), signed, x);
        }
    }
}
