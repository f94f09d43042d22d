using BenchmarkDotNet.Attributes;
using FunctionalNets.Kernels;
using FunctionalNets.Ops;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace FunctionalNets.Benchmarks;

/// <summary>
/// float32 n×n GEMM: MathNet's managed multiply (the baseline), <see cref="MatMul.Forward{T}"/> (a new tensor per
/// call, as W1) and <see cref="Gemm.Multiply{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, int, bool, bool, bool)"/> into a preallocated C (the kernel alone).
/// Run with `dotnet run -c Release --project tests/FunctionalNets.Benchmarks -- bdn --filter *Gemm*`.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private Tensor<float> a = null!, b = null!;
    private Matrix<float> ma = null!, mb = null!;
    private float[] c = [];
    private ComputeScope? threads;

    /// <summary>The matrix size.</summary>
    [Params(512)]
    public int N { get; set; }

    /// <summary>Threads for <see cref="Gemm"/> (WORKLOADS.md: 2).</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        threads = Compute.WithThreads(Threads);
        var (keyA, keyB) = Key.FromSeed((ulong)(1000 + N)).Split();
        a = Sample.Uniform<float>(keyA, [N, N], -1, 1);
        b = Sample.Uniform<float>(keyB, [N, N], -1, 1);
        ma = Matrix<float>.Build.Dense(N, N, (i, j) => a[i, j]);
        mb = Matrix<float>.Build.Dense(N, N, (i, j) => b[i, j]);
        c = new float[N * N];
    }

    [GlobalCleanup]
    public void Cleanup() => threads?.Dispose();

    [Benchmark(Baseline = true)]
    public Matrix<float> MathNetManaged() => ma * mb;

    [Benchmark]
    public Tensor<float> MatMulForward() => MatMul.Forward(a, b);

    [Benchmark]
    public float[] GemmIntoPreallocated()
    {
        Gemm.Multiply<float>(a.Span, b.Span, c, N, N, N);
        return c;
    }
}
