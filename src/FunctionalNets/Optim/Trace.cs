using System.Numerics;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// Momentum trace <c>b ← β·b + g</c> (tree <c>trace</c>, zeros at first), giving <c>u = b</c> (heavy ball) or
    /// <c>u = g + β·b</c> with the new <c>b</c> (Nesterov).
    /// </summary>
    /// <remarks>The same recurrences as PyTorch's SGD with zero dampening, whose first buffer <c>b = g</c> equals <c>β·0 + g</c>.</remarks>
    public static Transform<T> Trace<T>(double beta, bool nesterov = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(beta >= 0 && beta < 1))
            throw new ArgumentException($"Optimizer.Trace: beta must lie in [0, 1), got {beta}");
        var b = T.CreateTruncating(beta);
        return new Transform<T>(
            p => OptState<T>.Empty.With("trace", p.ZerosLike()),
            (g, s, _) =>
            {
                var trace = s["trace"].Zip(g, (_, m, x) => MultiplyAdd(m, b, x), nameof(Trace));
                var updates = nesterov ? trace.Zip(g, (_, m, x) => MultiplyAdd(m, b, x)) : trace;
                return (updates, (s with { Step = s.Step + 1 }).With("trace", trace));
            });
    }

    // x·a + y, elementwise.
    private static Tensor<T> MultiplyAdd<T>(Tensor<T> x, T a, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(x.Shape, z => TensorPrimitives.MultiplyAdd(x.Span, a, y.Span, z));
}
