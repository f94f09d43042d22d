using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// GELU, tanh approximation (as in GPT-2): <c>y = ½·x·(1 + tanh(u))</c> with <c>u = √(2/π)·(x + 0.044715·x³)</c>,
/// elementwise; within 1e-3 of the exact <see cref="Gelu"/> everywhere.
/// </summary>
/// <remarks>
/// Computed as <c>x·σ(2u)</c> (the same function, since <c>½(1 + tanh u) = σ(2u)</c>) with the overflow-safe
/// <see cref="Sigmoid"/>, so the negative tail keeps its relative accuracy and huge |x| never overflows into NaN:
/// <c>gelu(−∞) = 0</c>, <c>gelu(+∞) = +∞</c>; NaN stays NaN.
/// VJP: with <c>s = σ(2u)</c>, <c>dx = dy·(s + x·s·(1 − s)·2u′)</c>, <c>u′ = √(2/π)·(1 + 3·0.044715·x²)</c>; the
/// second term is 0 wherever <c>s·(1 − s)</c> is 0, so the slope is 0 and 1 in the far tails.
/// </remarks>
public static class GeluTanh
{
    private const double A = 0.044715;

    /// <summary><c>y = x·σ(2u)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Run(x, keepGate: false).Y;

    /// <summary><c>dx = dy·(s + x·s·(1 − s)·2u′)</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(GeluTanh), x, dy);
        return Vjp(x, null, dy);
    }

    /// <summary>GeluTanh on the tape; the forward keeps the gate s = σ(2u) so the pullback does not recompute it.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (y, s) = Run(x.Value, keepGate: true);
        return Net.Record<T>(nameof(GeluTanh), [x], y, dy => [Vjp(x.Value, s, dy)]);
    }

    // The gate and the product in one pass (Kernels.SigmoidGate), the gate written out only when it is kept.
    private static (Tensor<T> Y, Tensor<T>? S) Run<T>(Tensor<T> x, bool keepGate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Tensor.Uninitialized<T>(x.Size);
        var s = keepGate ? Tensor.Uninitialized<T>(x.Size) : null;
        SigmoidGate.Forward<TwoU<T>, Times<T>, T>(x.Span, s, y);
        return (new Tensor<T>(x.Shape, y), s is null ? null : new Tensor<T>(x.Shape, s));
    }

    // dx = dy·slope(x, s), the gate read when it was kept, else recomputed.
    private static Tensor<T> Vjp<T>(Tensor<T> x, Tensor<T>? s, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Tensor.Build<T>(x.Shape, dx => SigmoidGate.Vjp<TwoU<T>, Slope<T>, T>(x.Span, s is null ? default : s.Span, dy.Span, dx));

    /// <summary>The constants in T: <c>2C</c>, <c>2C·A</c>, <c>3A</c> with <c>C = √(2/π)</c>.</summary>
    private static class K<T>
        where T : IFloatingPointIeee754<T>
    {
        private static readonly double C = Math.Sqrt(2 / Math.PI);
        public static readonly T TwoC = T.CreateTruncating(2 * C);
        public static readonly T TwoCA = T.CreateTruncating(2 * C * A);
        public static readonly T ThreeA = T.CreateTruncating(3 * A);
    }

    /// <summary><c>2u = x·(2C + 2C·A·x²)</c>.</summary>
    private readonly struct TwoU<T> : IUnaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x) => x * (K<T>.TwoC + K<T>.TwoCA * x * x);
        public static TV Invoke<TV>(TV x)
            where TV : unmanaged, ISimd<TV, T> => x * (TV.Create(K<T>.TwoC) + TV.Create(K<T>.TwoCA) * x * x);
    }

    /// <summary><c>x·s</c>, but 0 where s is 0 (x = −∞ would give NaN).</summary>
    private readonly struct Times<T> : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T s) => s == T.Zero ? T.Zero : x * s;
        public static TV Invoke<TV>(TV x, TV s)
            where TV : unmanaged, ISimd<TV, T> => TV.Select(TV.Equal(s, TV.Zero), TV.Zero, x * s);
    }

    /// <summary><c>s + x·s(1 − s)·2u′</c>, the second term 0 where <c>s(1 − s)</c> is 0.</summary>
    private readonly struct Slope<T> : IBinaryOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Invoke(T x, T s)
        {
            var q = s * (T.One - s);
            return q == T.Zero ? s : s + x * q * K<T>.TwoC * (T.One + K<T>.ThreeA * x * x);
        }

        public static TV Invoke<TV>(TV x, TV s)
            where TV : unmanaged, ISimd<TV, T>
        {
            var q = s * (TV.One - s);
            var term = x * q * TV.Create(K<T>.TwoC) * (TV.One + TV.Create(K<T>.ThreeA) * x * x);
            return s + TV.Select(TV.Equal(q, TV.Zero), TV.Zero, term);
        }
    }
}
