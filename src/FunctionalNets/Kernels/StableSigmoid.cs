using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// The logistic sigmoid <c>σ(x) = 1 / (1 + e^{−x})</c> without overflow: the exponential is only ever taken of
/// <c>−|x|</c>, <c>σ(x) = 1 / (1 + e^{−x})</c> for x ≥ 0 and <c>e^{x} / (1 + e^{x})</c> for x &lt; 0.
/// </summary>
internal static class StableSigmoid
{
    /// <summary>Writes <c>σ(x)</c> to <paramref name="y"/> (same length, not overlapping x: x is read again after y is written).</summary>
    public static void Into<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Abs(x, y);
        TensorPrimitives.Negate<T>(y, y);
        NonPositiveExp.Into<T>(y, y); // e = e^{−|x|} ∈ [0, 1], the same bits wherever a far-out x sits
        Map.Binary<FromExp<T>, T>(x, y, y);
    }

    /// <summary><c>σ(x)</c> from <c>e = e^{−|x|}</c>: <c>1/(1+e)</c> for x ≥ 0, <c>e/(1+e)</c> for x &lt; 0.</summary>
    private readonly struct FromExp<T> : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T e) => (x >= T.Zero ? T.One : e) / (T.One + e);
        public static TV Invoke<TV>(TV x, TV e)
            where TV : unmanaged, ISimd<TV, T> =>
            TV.Select(TV.GreaterThanOrEqual(x, TV.Zero), TV.One, e) / (TV.One + e);
    }
}
