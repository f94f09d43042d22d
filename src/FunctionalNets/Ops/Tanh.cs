using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Hyperbolic tangent <c>y = tanh(x)</c>, elementwise; saturates to ±1 without overflow.</summary>
/// <remarks>
/// Within a few ulp of the exact value over the whole range, in float and double, and odd: tanh(±0) = ±0 and a tiny x
/// gives x. TensorPrimitives' vector tanh is that accurate only for |x| ≥ 0.55 (measured: ≤ 4 ulp); below it,
/// it loses relative accuracy (hundreds of ulp at 1e-3, −0 for tiny x), so those elements come from the Taylor
/// series (<c>Kernels.TanhSeries</c>). NaN gives NaN, ±∞ gives ±1.
/// VJP: <c>dx = dy·(1 − y²)</c>, from the output, so x is not kept.
/// </remarks>
public static class Tanh
{
    /// <summary><c>y = tanh(x)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y =>
        {
            TensorPrimitives.Tanh(x.Span, y);
            TanhSeries.Patch(x.Span, y);
        });

    /// <summary><c>dx = dy·(1 − y²)</c> given the forward output <paramref name="y"/>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> y, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Tanh), y, dy);
        return Tensor.Build<T>(y.Shape, dx => Map.Binary<TanhGrad<T>, T>(y.Span, dy.Span, dx));
    }

    /// <summary>Tanh on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Tanh), x, Forward, (_, y, dy) => Vjp(y, dy));

    private readonly struct TanhGrad<T> : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T y, T g) => g * (T.One - y * y);
        public static TV Invoke<TV>(TV y, TV g)
            where TV : unmanaged, ISimd<TV, T> => g * (TV.One - y * y);
    }
}
