using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>
/// Binary cross-entropy from logits, averaged over all elements:
/// <c>L = (1/n) Σᵢ max(xᵢ, 0) − xᵢ·yᵢ + log(1 + e^−|xᵢ|)</c>, which equals
/// <c>−(1/n) Σᵢ yᵢ·log σ(xᵢ) + (1 − yᵢ)·log(1 − σ(xᵢ))</c> without ever forming σ or its log.
/// </summary>
/// <remarks>
/// VJP: <c>dx = dy·(σ(x) − y)/n</c> and, for the target, the exact derivative <c>dy' = −dy·x/n</c> (targets are
/// usually constants, but soft targets may be learned). No residuals beyond x and y. Stable for any finite
/// logit: e^−|x| never overflows, and log(1 + u) is evaluated accurately for small u. With no elements there is no
/// mean: an error, as for <see cref="Mean"/>.
/// </remarks>
public static class BinaryCrossEntropy
{
    /// <summary><c>L = (1/n) Σᵢ max(xᵢ, 0) − xᵢ·yᵢ + log(1 + e^−|xᵢ|)</c>; a scalar.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> logits, Tensor<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(BinaryCrossEntropy), logits, targets);
        Check.Averages(nameof(BinaryCrossEntropy), logits.Size, $"logits and targets {logits.Shape}");
        ReadOnlySpan<T> x = logits.Span, y = targets.Span;
        var sum = T.Zero;
        for (var i = 0; i < x.Length; i++)
            sum += T.Max(x[i], T.Zero) - x[i] * y[i] + LogOnePlus(T.Exp(-T.Abs(x[i])));
        return Tensor.Scalar(sum / T.CreateTruncating(x.Length));
    }

    /// <summary><c>(dx, dy') = (dy·(σ(x) − y)/n, −dy·x/n)</c>.</summary>
    public static (Tensor<T> Dlogits, Tensor<T> Dtargets) Vjp<T>(Tensor<T> logits, Tensor<T> targets, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(BinaryCrossEntropy), logits, targets);
        Check.ScalarCotangent(nameof(BinaryCrossEntropy), dy);
        Check.Averages(nameof(BinaryCrossEntropy), logits.Size, $"logits and targets {logits.Shape}");
        var g = dy.ToScalar() / T.CreateTruncating(logits.Size);
        return (Tensor.Build<T>(logits.Shape, dx =>
                {
                    TensorPrimitives.Sigmoid(logits.Span, dx);
                    TensorPrimitives.Subtract(dx, targets.Span, dx);
                    TensorPrimitives.Multiply(dx, g, dx);
                }),
                Tensor.Build<T>(targets.Shape, dt => TensorPrimitives.Multiply(logits.Span, -g, dt)));
    }

    /// <summary>BinaryCrossEntropy on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> logits, Var<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Binary(nameof(BinaryCrossEntropy), logits, targets, Forward, (x, y, _, dy) => Vjp(x, y, dy));

    // log(1 + u) for u in [0, 1]: forming 1 + u rounds away the low bits of a small u, and log(w)·u/(w − 1)
    // cancels that rounding exactly (Goldberg, "What every computer scientist should know…", thm. 4).
    private static T LogOnePlus<T>(T u)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var w = T.One + u;
        return w == T.One ? u : T.Log(w) * u / (w - T.One);
    }
}
