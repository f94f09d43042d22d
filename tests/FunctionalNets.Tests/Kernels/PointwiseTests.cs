using FunctionalNets.Kernels;
using FunctionalNets.Ops;
using FunctionalNets.Randomness;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class PointwiseTests
{
    // A quotient, so each element's result is one correctly rounded IEEE division: the scalar loop below is the truth.
    private readonly struct Quotient : IBroadcastOp<double>
    {
        public static void Invoke(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y)
        {
            for (var i = 0; i < y.Length; i++) y[i] = a[i] / b[i];
        }

        public static void Invoke(ReadOnlySpan<double> a, double b, Span<double> y)
        {
            for (var i = 0; i < y.Length; i++) y[i] = a[i] / b;
        }

        public static void Invoke(double a, ReadOnlySpan<double> b, Span<double> y)
        {
            for (var i = 0; i < y.Length; i++) y[i] = a / b[i];
        }
    }

    // Around the 4,096-element parts, and large enough to split over two and three threads.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4097)]
    [InlineData(3 * 4096 + 17)]
    [InlineData(200_003)]
    public void Same_adds_every_element_as_the_scalar_sum_on_one_two_and_three_threads(int n)
    {
        var a = Sample.Normal<float>(Key.FromSeed(71), [n]).ToArray();
        var b = Sample.Normal<float>(Key.FromSeed(72), [n]).ToArray();
        var expected = a.Zip(b, (x, y) => x + y).ToArray();
        foreach (var threads in (int[])[1, 2, 3])
        {
            var y = new float[n];
            RunOn(threads, n, () => Pointwise.Same<Add.AddKernel<float>, float>(a, b, y));
            Assert.True(y.AsSpan().SequenceEqual(expected), $"n = {n}, {threads} threads");
            // A run may be repeated until a worker took part (OnThreads), so each one starts again from a.
            var inPlace = new float[n];
            RunOn(threads, n, () =>
            {
                a.CopyTo(inPlace, 0);
                Pointwise.Same<Add.AddKernel<float>, float>(inPlace, b, inPlace);
            });
            Assert.True(inPlace.AsSpan().SequenceEqual(expected), $"n = {n}, {threads} threads, in place");
        }
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(1024, 65)]
    [InlineData(1537, 128)]
    public void EachRow_applies_the_row_to_every_row_as_the_scalar_loop_does_on_one_two_and_three_threads(int rows, int cols)
    {
        var a = Sample.Normal<double>(Key.FromSeed(73), [rows * cols]).ToArray();
        var row = Sample.Uniform<double>(Key.FromSeed(74), [cols], 0.5, 2).ToArray();
        var expected = a.Select((x, i) => x / row[i % cols]).ToArray();
        foreach (var threads in (int[])[1, 2, 3])
        {
            var y = new double[a.Length];
            RunOn(threads, rows * cols, () =>
            {
                a.CopyTo(y, 0);
                Pointwise.EachRow<Quotient, double>(y, row, y);
            });
            Assert.True(y.AsSpan().SequenceEqual(expected), $"{rows}×{cols}, {threads} threads");
        }
    }

    [Fact]
    public void Operands_of_other_lengths_are_rejected_naming_pointwise_and_the_lengths()
    {
        var error = Assert.Throws<ArgumentException>(() => Pointwise.Same<Add.AddKernel<float>, float>(new float[5], new float[4], new float[5]));
        Assert.Contains("Pointwise", error.Message);
        Assert.Contains("5 and 4 elements", error.Message);
        error = Assert.Throws<ArgumentException>(() => Pointwise.EachRow<Add.AddKernel<float>, float>(new float[10], new float[3], new float[10]));
        Assert.Contains("whole rows of 3", error.Message);
    }

    // Small passes do not fork at all, so only a pass large enough to split must prove that a worker took part.
    private static void RunOn(int threads, int elements, Action run)
    {
        if ((long)elements <= 2 * Partition.MinWorkPerThread)
        {
            using var scope = Compute.WithThreads(threads);
            run();
        }
        else
            OnThreads.Run(threads, run);
    }
}
