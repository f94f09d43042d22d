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
        int[] sizes = [0, 5, 4_096, 100_003, 0, 128, 16_384, 7];
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

    [Fact]
    public void Empty_trees_and_empty_tensors_give_empty_results()
    {
        var empty = Params<double>.Of([KeyValuePair.Create("e", Tensor.Zeros<double>([0])), KeyValuePair.Create("f", Tensor.Zeros<double>([0]))]);
        Assert.Equal(empty, empty.Add(empty));
        Assert.Equal(empty, empty.Scale(2));
        Assert.Equal(Params<double>.Empty, Params<double>.Empty.Add(Params<double>.Empty));
    }
}
