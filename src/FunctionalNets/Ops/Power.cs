using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Power by a constant exponent, <c>y = xᵖ</c>, elementwise (IEEE <c>pow</c>).</summary>
/// <remarks>
/// VJP: <c>dx = dy·p·xᵖ⁻¹</c>; p is a constant and gets no cotangent. Residuals: x.
/// Special values, as IEEE <c>pow</c> gives them:
/// <list type="bullet">
/// <item>p = 0: y = 1 everywhere (0⁰ = 1) and dx = 0 exactly, even at x = 0, where the formula would give 0·∞.</item>
/// <item>x = 0: y = 0 for p &gt; 0 and +∞ for p &lt; 0; dx = 0 for p &gt; 1, dy for p = 1, and dy·p·∞ for
/// p &lt; 1 (±∞, or NaN where dy = 0).</item>
/// <item>x &lt; 0 with non-integer p: y = NaN and dx = NaN. With integer p both are finite (e.g. (−2)³ = −8).</item>
/// </list>
/// </remarks>
public static class Power
{
    /// <summary><c>y = xᵖ</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, T p)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Pow(x.Span, p, y));

    /// <summary><c>dx = dy·p·xᵖ⁻¹</c> (0 when p = 0).</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy, T p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Power), x, dy);
        if (p == T.Zero) return Tensor.Zeros<T>(x.Shape);
        return Tensor.Build<T>(x.Shape, dx =>
        {
            TensorPrimitives.Pow(x.Span, p - T.One, dx);
            TensorPrimitives.Multiply(dx, p, dx);
            TensorPrimitives.Multiply(dx, dy.Span, dx);
        });
    }

    /// <summary>Power <paramref name="p"/> on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, T p)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Power), x, t => Forward(t, p), (t, _, dy) => Vjp(t, dy, p));
}
