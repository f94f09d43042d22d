using FunctionalNets.Kernels;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class TreeWideTests
{
    private static ReadOnlyMemory<float>[] Buffers(Tensor<float>[] ts) => Array.ConvertAll(ts, t => t.Memory);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Sums_and_scalings_equal_the_elementwise_operation(int threads)
    {
        // Empty, tail-only, exactly one chunk, many chunks with a partial last one, and small ones between.
        int[] sizes = [0, 5, 4_096, 140_003, 0, 128, 16_384, 7];
        var a = sizes.Select((n, i) => Sample.Normal<float>(Key.FromSeed(9).FoldIn((uint)i), [n])).ToArray();
        var b = sizes.Select((n, i) => Sample.Normal<float>(Key.FromSeed(10).FoldIn((uint)i), [n])).ToArray();
        var (sums, scaled) = (sizes.Select(n => new float[n]).ToArray(), sizes.Select(n => new float[n]).ToArray());
        OnThreads.Run(threads, () =>
        {
            TreeWide.Add(Buffers(a), Buffers(b), sums);
            TreeWide.Multiply(Buffers(a), 0.37f, scaled);
        });
        for (var i = 0; i < sizes.Length; i++)
        {
            Assert.Equal(a[i].ToArray().Zip(b[i].ToArray(), (x, y) => x + y), sums[i]);
            Assert.Equal(a[i].ToArray().Select(x => x * 0.37f), scaled[i]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Trees_small_and_large_add_and_scale_as_the_elementwise_operation(int threads)
    {
        var small = Enumerable.Range(0, 40).Select(i => i % 5).ToArray(); // 80 elements in 40 tensors: never forked
        int[] large = [3, 70_000, 65_536, 1];
        Check(small, () =>
        {
            using var scope = Compute.WithThreads(threads);
            var result = Combine(small);
            Assert.Equal(0, scope.PartsOnWorkers); // 40 chunks, but 80 elements: the calling thread does it all
            return result;
        });
        Check(large, () => OnThreads.Run(threads, () => Combine(large)));
        using (Compute.WithThreads(threads))
        {
            Assert.False(TreeWide.Forks(small.Sum()));
            Assert.Equal(threads > 1, TreeWide.Forks(large.Sum()));
        }
    }

    private static Params<float> Tree(int seed, int[] sizes) =>
        Params<float>.Of(sizes.Select((n, i) => KeyValuePair.Create($"t{i:D2}", Sample.Normal<float>(Key.FromSeed((ulong)seed).FoldIn((uint)i), [n]))));

    private static (Params<float> Sum, Params<float> Scaled) Combine(int[] sizes) =>
        (Tree(1, sizes).Add(Tree(2, sizes)), Tree(1, sizes).Scale(-0.37f));

    private static void Check(int[] sizes, Func<(Params<float> Sum, Params<float> Scaled)> combine)
    {
        var (a, b) = (Tree(1, sizes), Tree(2, sizes));
        var (sum, scaled) = combine();
        foreach (var path in a.Paths)
        {
            Assert.Equal(a[path].ToArray().Zip(b[path].ToArray(), (x, y) => x + y), sum[path].ToArray());
            Assert.Equal(a[path].ToArray().Select(x => x * -0.37f), scaled[path].ToArray());
            Assert.Equal(a[path].Shape, sum[path].Shape);
        }
    }

    [Fact]
    public void Empty_trees_and_empty_tensors_give_empty_results()
    {
        var empty = Params<double>.Of([KeyValuePair.Create("e", Tensor.Zeros<double>([0])), KeyValuePair.Create("f", Tensor.Zeros<double>([0]))]);
        Assert.Equal(empty, empty.Add(empty));
        Assert.Equal(empty, empty.Scale(2));
        Assert.Equal(Params<double>.Empty, Params<double>.Empty.Add(Params<double>.Empty));
    }
}
