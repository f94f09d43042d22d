using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Randomness;

/// <summary>
/// Sampling tensors from a <see cref="Key"/>: element <c>i</c> (row-major) is a function of the key and <c>i</c>
/// alone, so results are the same on any thread count and a longer draw extends a shorter one.
/// </summary>
/// <remarks>
/// Stream version 1, frozen (docs/determinism.md). Element <c>i</c> of a distribution reads Philox block
/// <c>(i, 0, 0, tag)</c> with tag 0 for uniform, 1 for normal and 2 for integers, so the three never share bits.
/// </remarks>
public static class Sample
{
    private const uint UniformTag = 0, NormalTag = 1, IntegerTag = 2;

    /// <summary>
    /// Uniform on <c>[low, high)</c>: <c>low + (high − low)·u</c> in double with <c>u = </c><see cref="Unit"/>, rounded to
    /// <typeparamref name="T"/>.
    /// </summary>
    /// <remarks>A value that rounds up to <c>high</c> in <typeparamref name="T"/> becomes the largest <typeparamref name="T"/> below it, so the interval stays half-open.</remarks>
    public static Tensor<T> Uniform<T>(Key key, Shape shape, double low = 0, double high = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lo, hi) = (T.CreateTruncating(low), T.CreateTruncating(high));
        if (!double.IsFinite(high - low) || !(lo < hi))
            throw new ArgumentException($"Sample.Uniform: need finite low < high in {typeof(T).Name}, got [{low}, {high})");
        var top = T.BitDecrement(hi);
        return Tensor.Build<T>(shape, y =>
        {
            for (var i = 0; i < y.Length; i++)
                y[i] = T.Min(T.CreateTruncating(low + (high - low) * Unit(key, (uint)i)), top);
        });
    }

    /// <summary>Normal: <c>mean + std·z</c> in double with <c>z = </c><see cref="StandardNormal"/>, rounded to <typeparamref name="T"/>.</summary>
    public static Tensor<T> Normal<T>(Key key, Shape shape, double mean = 0, double std = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!double.IsFinite(mean) || !double.IsFinite(std) || std < 0)
            throw new ArgumentException($"Sample.Normal: need a finite mean and a finite std ≥ 0, got mean {mean}, std {std}");
        return Tensor.Build<T>(shape, y =>
        {
            for (var i = 0; i < y.Length; i++)
                y[i] = T.CreateTruncating(mean + std * StandardNormal(key, (uint)i));
        });
    }

    /// <summary>Integers uniform on <c>[0, n)</c>: the high 64 bits of <c>r·n</c> for 64 random bits <c>r</c> (bias below <c>n/2⁶⁴</c>).</summary>
    public static Tensor<int> Integers(Key key, Shape shape, int n)
    {
        if (n <= 0) throw new ArgumentException($"Sample.Integers: n must be positive, got {n}");
        return Tensor.Build<int>(shape, y =>
        {
            for (var i = 0; i < y.Length; i++)
            {
                var (a, b, _, _) = key.Block((uint)i, 0, 0, IntegerTag);
                y[i] = (int)Math.BigMul(((ulong)a << 32) | b, (ulong)n, out _);
            }
        });
    }

    /// <summary>
    /// A uniform draw in <c>[0, 1)</c> for index <paramref name="i"/>: words <c>(a, b)</c> of block <c>(i, 0, 0, 0)</c> give the
    /// 53-bit integer <c>a·2²¹ + ⌊b/2¹¹⌋</c>, times <c>2⁻⁵³</c>.
    /// </summary>
    public static double Unit(Key key, uint i)
    {
        var (a, b, _, _) = key.Block(i, 0, 0, UniformTag);
        return Bits53(a, b);
    }

    /// <summary>
    /// A standard normal draw for index <paramref name="i"/> by Box–Muller, <c>z = √(−2·ln(1 − u₁))·cos(2π·u₂)</c>, where
    /// <c>u₁</c>, <c>u₂</c> are 53-bit uniforms from words (0, 1) and (2, 3) of block <c>(i, 0, 0, 1)</c>.
    /// </summary>
    /// <remarks>Finite always: <c>1 − u₁</c> lies in <c>(0, 1]</c>, so <c>|z| ≤ √(106·ln 2) ≈ 8.57</c>.</remarks>
    public static double StandardNormal(Key key, uint i)
    {
        var (a, b, c, d) = key.Block(i, 0, 0, NormalTag);
        var (u1, u2) = (Bits53(a, b), Bits53(c, d));
        return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    // 32 bits of hi and the top 21 of lo make a 53-bit integer, scaled into [0, 1) exactly.
    private static double Bits53(uint hi, uint lo) => (((ulong)hi << 21) | (lo >> 11)) * (1.0 / (1UL << 53));
}
