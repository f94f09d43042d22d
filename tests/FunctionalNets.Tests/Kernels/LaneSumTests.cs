using System.Numerics;
using System.Runtime.Intrinsics;
using CsCheck;
using FunctionalNets.Kernels;
using FunctionalNets.Randomness;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Tests.Kernels;

public class LaneSumTests
{
    // The documented order, written out lane by lane: which terms each lane adds, in which order, then the tree.
    private static T Documented<T>(IReadOnlyList<T> t)
        where T : INumber<T>
    {
        var n = t.Count;
        var lanes = 64 / (typeof(T) == typeof(float) ? 4 : 8);
        if (n < lanes / 4)
            return Enumerable.Range(0, n).Reverse().Aggregate(T.Zero, (sum, i) => sum + t[i]);
        if (n < lanes)
        {
            var w = n >= lanes / 2 ? lanes / 2 : lanes / 4;
            return Tree([.. Enumerable.Range(0, w).Select(j => n == w ? t[j] : t[j] + (j >= 2 * w - n ? t[n - w + j] : T.Zero))]);
        }
        var full = n / lanes;
        var grouped = n > 8 * lanes ? 8 * ((n - lanes) / (8 * lanes)) : 0;
        // Block order: with more than 8L terms, block 0 comes after the first `grouped` blocks that follow it.
        var order = n > 8 * lanes
            ? Enumerable.Range(1, grouped).Append(0).Concat(Enumerable.Range(grouped + 1, full - grouped - 1))
            : Enumerable.Range(0, full);
        var lane = new T[lanes];
        foreach (var b in order)
            for (var j = 0; j < lanes; j++) lane[j] += t[b * lanes + j];
        for (var i = full * lanes; i < n; i++) lane[i - (n - lanes)] += t[i];
        return Tree(lane);
    }

    private static T Tree<T>(T[] lane)
        where T : INumber<T> =>
        lane.Length == 1 ? lane[0] : Tree(lane[..(lane.Length / 2)]) + Tree(lane[(lane.Length / 2)..]);

    private static void AssertSums<T>(T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (sum, squares, dot) = (Documented(x), Documented([.. x.Select(v => v * v)]), Documented([.. x.Zip(y, (a, b) => a * b)]));
        foreach (var (bits, (s, q, d)) in AtEveryWidth.Run(() => (LaneSum.Sum<T>(x), LaneSum.SumOfSquares<T>(x), LaneSum.Dot<T>(x, y))))
        {
            Assert.True(s.Equals(sum) && q.Equals(squares) && d.Equals(dot),
                $"{typeof(T).Name} n = {x.Length} at {bits} bits: sum {s} vs {sum}, squares {q} vs {squares}, dot {d} vs {dot}");
        }
        // The order is TensorPrimitives' on AVX-512, so where this machine has it the two agree bit for bit.
        if (Vector512.IsHardwareAccelerated)
            Assert.True(TensorPrimitives.Sum<T>(x).Equals(sum) && TensorPrimitives.SumOfSquares<T>(x).Equals(squares) && TensorPrimitives.Dot<T>(x, y).Equals(dot),
                $"{typeof(T).Name} n = {x.Length}: TensorPrimitives on AVX-512 disagrees with the documented order");
    }

    [Fact]
    public void Sums_follow_the_documented_order_at_every_width() =>
        // Up to 300: short vectors, blocks and tails, and more than 8 blocks (the reordered first block).
        Gen.Select(Gen.Int[0, 300], Gen.ULong).Sample((n, seed) =>
        {
            // Magnitudes over many binades, so a different order would change the rounding.
            var scale = Sample.Uniform<double>(Key.FromSeed(seed).FoldIn(1), [n], -20, 20).ToArray();
            var x = Sample.Normal<double>(Key.FromSeed(seed), [n]).ToArray().Select((v, i) => v * Math.Pow(2, scale[i])).ToArray();
            var y = Sample.Normal<double>(Key.FromSeed(seed + 1), [n]).ToArray();
            AssertSums(x, y);
            AssertSums(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray());
        }, iter: 200);

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(4)]
    public void Negative_zeros_keep_the_sign_exactly_where_tensorprimitives_does(int n)
    {
        // A full short vector sums its own lanes (−0); a longer row starts its lanes from +0.
        var x = Enumerable.Repeat(-0f, n).ToArray();
        var expected = n is 4 or 8 ? -0f : 0f;
        foreach (var (bits, sum) in AtEveryWidth.Run(() => LaneSum.Sum<float>(x)))
            Assert.True(BitConverter.SingleToInt32Bits(sum) == BitConverter.SingleToInt32Bits(expected), $"n = {n} at {bits} bits: {sum}");
    }

    [Fact]
    public void Dot_of_different_lengths_names_the_lengths()
    {
        var ex = Assert.Throws<ArgumentException>(() => LaneSum.Dot<float>([1f, 2f], [1f]));
        Assert.Contains("LaneSum.Dot: lengths 2 and 1 differ", ex.Message);
    }
}
