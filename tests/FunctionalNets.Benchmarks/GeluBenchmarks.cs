using BenchmarkDotNet.Attributes;
using FunctionalNets.Kernels;
using FunctionalNets.Randomness;

namespace FunctionalNets.Benchmarks;

/// <summary>
/// The exact GELU's forward pass (keeping Φ) and its VJP (reading Φ) on W6's hidden activations (12·64 rows of
/// 512), into preallocated buffers, at each vector width: the 256- and 128-bit rows are what AVX2 and ARM64
/// machines run. Run with `dotnet run -c Release --project tests/FunctionalNets.Benchmarks -- bdn --filter *Gelu*`.
/// </summary>
public class GeluBenchmarks
{
    private float[] x = [], dy = [], cdf = [], output = [];
    private ComputeScope? threads;

    /// <summary>The kernels' vector width in bits (skipped where the machine lacks it).</summary>
    [Params(512, 256, 128)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        threads = Compute.WithThreads(2);
        VectorWidth.UseForProcess(Math.Min(Width, VectorWidth.Widest));
        var (keyX, keyDy) = Key.FromSeed(6).Split();
        const int n = 12 * 64 * 512;
        x = Sample.Normal<float>(keyX, [n]).Span.ToArray();
        dy = Sample.Normal<float>(keyDy, [n]).Span.ToArray();
        (cdf, output) = (new float[n], new float[n]);
    }

    [GlobalCleanup]
    public void Cleanup() => threads?.Dispose();

    [Benchmark]
    public void Forward() => GeluErfc.Forward(x, output, cdf);

    [Benchmark]
    public void Vjp() => GeluErfc.Vjp(x, dy, output, cdf);
}
