using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Gaussian error linear unit, exact form: <c>y = x·Φ(x) = ½·x·(1 + erf(x/√2))</c>, elementwise, where Φ is the
/// standard normal CDF. <see cref="GeluTanh"/> is the tanh approximation (GPT-2's); this class is the definition.
/// </summary>
/// <remarks>
/// VJP: <c>dx = dy·(Φ(x) + x·φ(x))</c> with <c>φ(x) = e^{−x²/2}/√(2π)</c>, the exact derivative (no
/// approximation of erf enters it: Φ is accurate to double precision). Special values: <c>gelu(−∞) = 0</c>,
/// <c>gelu(+∞) = +∞</c>, slope 0 and 1 there; NaN stays NaN. float is vectorised (a closed-form erfc within a few
/// float ulps); double is computed one element at a time in double, several times slower. On the tape the float
/// forward pass keeps Φ(x) as a residual, so the pullback computes only φ(x).
/// </remarks>
public static class Gelu
{
    /// <summary><c>y = x·Φ(x)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, y => Gaussian.Gelu(x.Span, y));

    /// <summary><c>dx = dy·(Φ(x) + x·φ(x))</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(Gelu), x, dy);
        return Tensor.Build<T>(x.Shape, dx => Gaussian.GeluVjp(x.Span, dy.Span, dx));
    }

    /// <summary>Gelu on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = x.Value;
        var cdf = Gaussian.KeepsCdf<T>() ? Tensor.Uninitialized<T>(v.Size) : []; // every element is written
        var y = Tensor.Build<T>(v.Shape, o => Gaussian.Gelu(v.Span, o, cdf));
        return Net.Record<T>(nameof(Gelu), [x], y, dy =>
        {
            Check.SameShape(nameof(Gelu), v, dy);
            return [Tensor.Build<T>(v.Shape, dx => Gaussian.GeluVjp(v.Span, dy.Span, dx, cdf))];
        });
    }
}
