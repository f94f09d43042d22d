using System.Collections.Concurrent;
using FunctionalNets.Kernels;
using FunctionalNets.Ops;
using FunctionalNets.Random;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Kernels;

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
    public void Attention_gelu_and_layer_norm_give_the_same_bits_on_one_and_two_threads()
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
            var saved = Gemm.MaxThreads;
            Gemm.MaxThreads = threads;
            try
            {
                var (y, p) = Attention.Forward(q, k, v, causal: true);
                var (dq, dk, dv) = Attention.Vjp(q, k, v, p, dy);
                var (normed, stats) = LayerNorm.Forward(rows, gain, bias);
                return [y, p.P, dq, dk, dv, GeluTanh.Forward(x), GeluTanh.Vjp(x, x), normed, stats.Mean, stats.Rstd];
            }
            finally
            {
                Gemm.MaxThreads = saved;
            }
        }
        var (one, two) = (Run(1), Run(2));
        Assert.All(Enumerable.Range(0, one.Length), i => Assert.True(one[i].BitEquals(two[i]), $"output {i}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Wide_sums_and_scalings_equal_the_one_pass_kernels(int threads)
    {
        // 100 003 elements: several blocks and a partial last one.
        var a = Sample.Normal<float>(Key.FromSeed(9), [100_003]).ToArray();
        var b = Sample.Normal<float>(Key.FromSeed(10), [100_003]).ToArray();
        var (sum, scaled) = (new float[a.Length], new float[a.Length]);
        var saved = Gemm.MaxThreads;
        Gemm.MaxThreads = threads;
        try
        {
            Wide.Add<float>(a, b, sum);
            Wide.Multiply<float>(a, 0.37f, scaled);
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
        Assert.Equal(a.Zip(b, (x, y) => x + y), sum);
        Assert.Equal(a.Select(x => 0.37f * x), scaled);
    }
}
