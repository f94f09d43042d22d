using System.Numerics;
using FunctionalNets.Kernels;
using FunctionalNets.Ops;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Benchmarks;

/// <summary>
/// W1 — GEMM: <c>C = A·B</c> for square n×n matrices with entries U[-1, 1) seeded 1000 + n, a new C per call
/// (<see cref="MatMul.Forward{T}"/>), 0.3 s warm-up, 7 timed repetitions of k = max(3, ⌈1e10 / 2n³⌉) products.
/// </summary>
public static class W1Gemm
{
    private const int Reps = 7;
    private const double WarmupSeconds = 0.3;

    /// <summary>Runs float32 n ∈ {64, 128, 256, 512, 1024} and float64 n = 512, one JSON line each.</summary>
    public static int Run(RunOptions options)
    {
        using var threads = Compute.WithThreads(options.Threads);
        foreach (var n in (int[])[64, 128, 256, 512, 1024])
            Case<float>(n, "float32", options.Threads);
        Case<double>(512, "float64", options.Threads);
        return 0;
    }

    private static void Case<T>(int n, string dtype, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (keyA, keyB) = Key.FromSeed((ulong)(1000 + n)).Split();
        var a = Sample.Uniform<T>(keyA, [n, n], -1, 1);
        var b = Sample.Uniform<T>(keyB, [n, n], -1, 1);
        var k = Math.Max(3, (int)Math.Ceiling(1e10 / (2.0 * n * n * n)));

        for (var start = System.Diagnostics.Stopwatch.GetTimestamp(); Measure.Since(start) < WarmupSeconds;)
            _ = MatMul.Forward(a, b);

        // Timed as a whole as well, so the line says what share of the wall time the collector's pauses took. The
        // lambda keeps no result: a captured variable would hold the previous one alive through each product.
        var times = new double[Reps];
        Measure.Timed(Reps * k, () =>
        {
            for (var rep = 0; rep < Reps; rep++)
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                for (var i = 0; i < k; i++)
                    _ = MatMul.Forward(a, b);
                times[rep] = Measure.Since(start) / k;
            }
        });
        var c = MatMul.Forward(a, b); // the same bits as every timed product: the check reads this one

        var median = Measure.Median(times);
        var flops = 2.0 * n * n * n;
        Measure.Emit(new Dictionary<string, object>
        {
            ["workload"] = "W1",
            ["dtype"] = dtype,
            ["n"] = n,
            ["threads"] = threads,
            ["inner_iters"] = k,
            ["reps"] = Reps,
            ["median_s"] = median,
            ["gflops"] = flops / median / 1e9,
            ["gflops_mean"] = flops / times.Average() / 1e9,
            ["gflops_best"] = flops / times.Min() / 1e9,
            ["max_rel_err"] = MaxRelativeError(a, b, c, rows: 4),
        });
    }

    // Rows 0..rows−1 of C against a float64 triple loop: max |C − ref| over max |ref| (the anchor's measure).
    private static double MaxRelativeError<T>(Tensor<T> a, Tensor<T> b, Tensor<T> c, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = a.Dim(0);
        double maxDiff = 0, maxRef = 0;
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < n; p++)
                    sum += double.CreateTruncating(a.Span[i * n + p]) * double.CreateTruncating(b.Span[p * n + j]);
                maxDiff = Math.Max(maxDiff, Math.Abs(double.CreateTruncating(c.Span[i * n + j]) - sum));
                maxRef = Math.Max(maxRef, Math.Abs(sum));
            }
        return maxDiff / maxRef;
    }
}
