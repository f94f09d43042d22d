using CsCheck;
using System.Collections.Concurrent;
using FunctionalNets.Kernels;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class PartitionTests
{
    private readonly struct Record(ConcurrentBag<int> seen) : IRangeBody
    {
        public void Run(int start, int end)
        {
            for (var i = start; i < end; i++) seen.Add(i);
        }
    }

    [Theory]
    [InlineData(0, 1 << 20)]
    [InlineData(1, 1 << 20)]
    [InlineData(7, 1 << 20)]
    [InlineData(1000, 1)]
    [InlineData(1000, 1 << 20)]
    public void Every_item_runs_exactly_once(int items, long workPerItem)
    {
        var seen = new ConcurrentBag<int>();
        Partition.For(items, workPerItem, new Record(seen));
        Assert.Equal(Enumerable.Range(0, items), seen.Order());
    }

    // Sizes large enough that Partition splits the work, so the two thread counts really take different paths.
    [Fact]
    public void Attention_gelu_and_layer_norm_and_their_vjps_give_the_same_bits_on_one_and_two_threads()
    {
        var q = Sample.Normal<float>(Key.FromSeed(1), [4, 3, 40, 24]);
        var k = Sample.Normal<float>(Key.FromSeed(2), [4, 3, 40, 24]);
        var v = Sample.Normal<float>(Key.FromSeed(3), [4, 3, 40, 16]);
        var dy = Sample.Normal<float>(Key.FromSeed(4), [4, 3, 40, 16]);
        var x = Sample.Normal<float>(Key.FromSeed(5), [70_001]);
        var rows = Sample.Normal<float>(Key.FromSeed(6), [600, 130]);
        var (gain, bias) = (Sample.Normal<float>(Key.FromSeed(7), [130]), Sample.Normal<float>(Key.FromSeed(8), [130]));
        Tensor<float>[] Run(int threads)
        {
            return OnThreads.Run<Tensor<float>[]>(threads, () =>
            {
                var (y, p) = Attention.Forward(q, k, v, causal: true);
                var (dq, dk, dv) = Attention.Vjp(q, k, v, p, dy);
                var (normed, stats) = LayerNorm.Forward(rows, gain, bias);
                var (dx, dgain, dbias) = LayerNorm.Vjp(rows, gain, stats, normed);
                return [y, p.P, dq, dk, dv, GeluTanh.Forward(x), GeluTanh.Vjp(x, x), Gelu.Forward(x), Gelu.Vjp(x, x),
                    normed, stats.Mean, stats.Rstd, dx, dgain, dbias, LayerNorm.Vjp(rows, stats, normed)];
            });
        }
        var (one, two) = (Run(1), Run(2));
        Assert.All(Enumerable.Range(0, one.Length), i => Assert.True(one[i].BitEquals(two[i]), $"output {i}"));
    }

    [Fact]
    public void A_large_trees_global_norm_is_the_path_ordered_sum_on_one_and_two_threads()
    {
        // Twelve tensors of 20,000 floats: enough elements for the per-tensor sums to be split between threads.
        var tensors = Enumerable.Range(0, 12).Select(i => Sample.Normal<float>(Key.FromSeed((ulong)(40 + i)), [20_000])).ToArray();
        var sum = 0.0;
        foreach (var t in tensors)
        {
            var lanes = new double[8];
            var xs = t.ToArray();
            for (var i = 0; i < xs.Length; i++) lanes[i % 8] += (double)xs[i] * xs[i];
            sum += ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        }
        foreach (var threads in (int[])[1, 2])
        {
            // A new tree each time: a tree keeps its norm once computed.
            var norm = OnThreads.Run(threads, () =>
                Params<float>.Of(tensors.Select((t, i) => KeyValuePair.Create($"t{i:D2}", t))).GlobalNorm());
            Assert.Equal(BitConverter.DoubleToInt64Bits(Math.Sqrt(sum)), BitConverter.DoubleToInt64Bits(norm));
        }
    }

    [Fact]
    public void Guided_parts_cover_the_items_in_order_and_never_grow() =>
        Gen.Int[0, 2000].Select(Gen.Int[1, 8], Gen.Int[1, 50]).Sample((items, threads, minItems) =>
        {
            var parts = new GuidedParts(items, threads, minItems);
            var cut = Enumerable.Range(0, parts.Count).Select(p => parts[p]).ToArray();
            var next = 0;
            foreach (var (lo, hi) in cut)
            {
                Assert.Equal(next, lo); // contiguous, in order, from 0
                Assert.True(hi > lo, $"part [{lo}, {hi}) of {items} is empty");
                next = hi;
            }
            Assert.Equal(items, next);
            var sizes = cut.Select(c => c.Hi - c.Lo).ToArray();
            for (var p = 1; p < sizes.Length; p++) Assert.True(sizes[p] <= sizes[p - 1], $"part {p} grew: {string.Join(",", sizes)}");
            for (var p = 0; p < sizes.Length - 1; p++) Assert.True(sizes[p] >= minItems, $"part {p} below {minItems}: {string.Join(",", sizes)}");
            // The first part is the 1/(2·threads) share (or the minimum), so a thread never takes more than half the work in one claim.
            if (items > 0) Assert.Equal(Math.Min(items, Math.Max(minItems, (items + 2 * threads - 1) / (2 * threads))), sizes[0]);
        });
}
