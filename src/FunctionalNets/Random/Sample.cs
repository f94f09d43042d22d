using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Random;

/// <summary>
/// Sampling tensors from a <see cref="Key"/>: element <c>i</c> depends only on the key and <c>i</c>, so results
/// are the same on any thread count and a longer draw extends a shorter one.
/// </summary>
public static class Sample
{
    /// <summary>Uniform on <c>[low, high)</c>: 53 random bits per element mapped to <c>[0,1)</c>, then scaled.</summary>
    public static Tensor<T> Uniform<T>(Key key, Shape shape, double low = 0, double high = 1)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(shape, y =>
        {
            for (var i = 0; i < y.Length; i++)
                y[i] = T.CreateTruncating(low + (high - low) * Unit(key, (uint)i));
        });

    /// <summary>Normal with mean <paramref name="mean"/> and standard deviation <paramref name="std"/> (Box–Muller).</summary>
    public static Tensor<T> Normal<T>(Key key, Shape shape, double mean = 0, double std = 1)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Build<T>(shape, y =>
        {
            for (var i = 0; i < y.Length; i++)
                y[i] = T.CreateTruncating(mean + std * StandardNormal(key, (uint)i));
        });

    /// <summary>Integers uniform on <c>[0, n)</c>, by rejection-free multiply-shift of 32 random bits.</summary>
    public static Tensor<int> Integers(Key key, Shape shape, int n) => Tensor.Build<int>(shape, y =>
    {
        if (n <= 0) throw new ArgumentException($"Sample.Integers: n must be positive, got {n}");
        for (var i = 0; i < y.Length; i++)
        {
            var (a, _, _, _) = key.Block((uint)i, 0, 0, 0);
            y[i] = (int)(((ulong)a * (uint)n) >> 32);
        }
    });

    /// <summary>A uniform draw in <c>[0, 1)</c> for index <paramref name="i"/>: 53 bits from one Philox block.</summary>
    public static double Unit(Key key, uint i)
    {
        var (a, b, _, _) = key.Block(i, 0, 0, 0);
        return Bits53(a, b);
    }

    /// <summary>A standard normal draw for index <paramref name="i"/> from the two halves of one Philox block.</summary>
    public static double StandardNormal(Key key, uint i)
    {
        var (a, b, c, d) = key.Block(i, 0, 0, 1);
        var (u1, u2) = (Bits53(a, b), Bits53(c, d));
        // 1 − u1 lies in (0, 1], so the log is finite.
        return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    // 32 bits of hi and the top 21 of lo make a 53-bit integer, scaled into [0, 1).
    private static double Bits53(uint hi, uint lo) => (((ulong)hi << 21) | (lo >> 11)) * (1.0 / (1UL << 53));
}
