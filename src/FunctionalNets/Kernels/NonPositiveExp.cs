using System.Numerics;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// <c>y = eˣ</c> for x ≤ 0 (softmax's shifted rows, the sigmoid's <c>e^{−|x|}</c>), with bits that repeat.
/// </summary>
/// <remarks>
/// float runs <see cref="FloatExp"/> at the <see cref="VectorWidth"/> in force: the same bits from every width, every
/// tail and every machine, with or without FMA or SIMD, whatever the runtime's own exponential does (TensorPrimitives'
/// float one computes in double, uses FMA where there is one and may change between runtime versions); on the Zen 3
/// it was also 1.35 times as fast on rows of 64.
/// double runs TensorPrimitives, except that entries below −708 (masked −∞ above all) are computed one by one: its
/// double exponential switches a whole vector to another path when one lane is that far out, and that path gives the
/// vector's other lanes bits that depend on the buffer's alignment and on the JIT tier.
/// </remarks>
internal static class NonPositiveExp
{
    // Below this, e^x is at most about 3e−308: TensorPrimitives' double exponential takes its out-of-range path there.
    private const double FarBelow = -708;

    /// <summary>Writes <c>eˣ</c> to <paramref name="y"/> (which may alias x).</summary>
    public static void Into<T>(ReadOnlySpan<T> x, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Map.Unary<Exponential, float>(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y));
            return;
        }
        if (typeof(T) != typeof(double))
        {
            TensorPrimitives.Exp(x, y);
            return;
        }
        var far = T.CreateTruncating(FarBelow);
        var start = 0;
        for (var j = 0; j <= x.Length; j++)
        {
            if (j < x.Length && !(x[j] < far)) continue;
            TensorPrimitives.Exp(x[start..j], y[start..j]);
            if (j < x.Length) y[j] = T.Exp(x[j]);
            start = j + 1;
        }
    }

    private readonly struct Exponential : IUnaryOp<float>
    {
        public static float Invoke(float x) => FloatExp.Of(x);

        public static TV Invoke<TV>(TV x)
            where TV : unmanaged, ISimd<TV, float> => FloatExp.Of(x);
    }
}
