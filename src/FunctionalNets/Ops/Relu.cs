using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Rectified linear unit <c>y = max(x, 0)</c>, elementwise.</summary>
/// <remarks>
/// VJP: <c>dx = dy</c> where <c>x &gt; 0</c>, else <c>0</c>. At exactly <c>x = 0</c> the derivative is taken to be
/// 0 (as JAX does), so a unit at the kink passes no gradient. NaN stays NaN forward and passes no gradient; −0 maps
/// to +0.
/// </remarks>
public static class Relu
{
    /// <summary><c>y = max(x, 0)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Max(x.Span, T.Zero, y));

    /// <summary><c>dx = dy·[x &gt; 0]</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Relu), x, dy);
        return Tensor.Build<T>(x.Shape, dx => Map.Binary<ReluGrad<T>, T>(x.Span, dy.Span, dx));
    }

    /// <summary>Relu on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Relu), x, Forward, (v, _, dy) => Vjp(v, dy));

    private readonly struct ReluGrad<T> : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T g) => x > T.Zero ? g : T.Zero;
        public static TV Invoke<TV>(TV x, TV g)
            where TV : unmanaged, ISimd<TV, T> => TV.Select(TV.GreaterThan(x, TV.Zero), g, TV.Zero);
    }
}
