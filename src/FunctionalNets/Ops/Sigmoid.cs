using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>Logistic sigmoid <c>y = σ(x) = 1 / (1 + e^{−x})</c>, elementwise, computed without overflow.</summary>
/// <remarks>
/// The exponential is only ever taken of <c>−|x|</c>: <c>σ(x) = 1 / (1 + e^{−x})</c> for x ≥ 0 and
/// <c>e^{x} / (1 + e^{x})</c> for x &lt; 0, so no intermediate overflows and both tails keep their relative
/// accuracy. <c>σ(±∞) = 1, 0</c>; NaN stays NaN.
/// VJP: <c>dx = dy·y·(1 − y)</c>, from the output, so x is not kept.
/// </remarks>
public static class Sigmoid
{
    /// <summary><c>y = σ(x)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => StableSigmoid.Into(x.Span, y));

    /// <summary><c>dx = dy·y·(1 − y)</c> given the forward output <paramref name="y"/>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> y, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Sigmoid), y, dy);
        return Tensor.Build<T>(y.Shape, dx => Map.Binary<SigmoidGrad<T>, T>(y.Span, dy.Span, dx));
    }

    /// <summary>Sigmoid on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Sigmoid), x, Forward, (_, y, dy) => Vjp(y, dy));

    private readonly struct SigmoidGrad<T> : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T y, T g) => g * y * (T.One - y);
        public static TV Invoke<TV>(TV y, TV g)
            where TV : unmanaged, ISimd<TV, T> => g * y * (TV.One - y);
    }
}
