using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Inverted dropout with an explicit key: <c>yᵢ = xᵢ/(1 − rate)</c> if <c>Sample.Unit(key, i) ≥ rate</c>, else 0,
/// so each element is kept with probability 1 − rate and the expectation of y is x.
/// </summary>
/// <remarks>
/// Element i's fate depends only on the key and i (not on the shape, the thread count or other draws). VJP: the
/// op is linear and diagonal in x, so <c>dx = Forward(dy, rate, key)</c>: the mask is recomputed from the key
/// rather than saved, which costs one Philox block per element and no memory. <c>rate = 0</c> is the identity.
/// </remarks>
public static class Dropout
{
    /// <summary><c>yᵢ = Sample.Unit(key, i) ≥ rate ? xᵢ/(1 − rate) : 0</c>, for <c>rate</c> in [0, 1).</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, double rate, Key key)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireRate(rate);
        if (rate == 0) return x;
        var scale = T.CreateTruncating(1 / (1 - rate));
        return Tensor.Build<T>(x.Shape, y =>
        {
            ReadOnlySpan<T> xs = x.Span;
            for (var i = 0; i < y.Length; i++)
                y[i] = Sample.Unit(key, (uint)i) >= rate ? xs[i] * scale : T.Zero;
        });
    }

    /// <summary><c>dx = Forward(dy, rate, key)</c>: the same mask and scale applied to the cotangent.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> dy, double rate, Key key)
        where T : unmanaged, IFloatingPointIeee754<T> => Forward(dy, rate, key);

    /// <summary>
    /// Dropout on the tape: draws its key with <see cref="Net.NextKey{T}"/> when the run is training and
    /// <paramref name="rate"/> &gt; 0; otherwise the identity (no key is drawn).
    /// </summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, double rate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireRate(rate);
        return Net.Training<T>().Bind(training => !training || rate == 0
            ? Net.Pure<T, Var<T>>(x)
            : Net.NextKey<T>().Bind(key => Net.Unary(nameof(Dropout), x, t => Forward(t, rate, key), (_, _, dy) => Vjp(dy, rate, key))));
    }

    private static void RequireRate(double rate)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentException($"{nameof(Dropout)}: rate must be in [0, 1), got {rate}");
    }
}
