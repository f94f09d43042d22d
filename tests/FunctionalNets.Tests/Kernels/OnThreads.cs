using FunctionalNets.Kernels;

namespace FunctionalNets.Tests.Kernels;

/// <summary>
/// Tests that compare thread counts need the worker pool to themselves: a caller that finds it busy runs inline,
/// and "2 threads" would quietly mean 1. Classes in this collection run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusivePool
{
    /// <summary>The collection's name, for <c>[Collection(ExclusivePool.Name)]</c>.</summary>
    public const string Name = "exclusive worker pool";
}

/// <summary>Runs code under a thread budget and proves that a budget above one really used a worker.</summary>
/// <remarks>
/// Parts go to whoever is free, so on a short job the caller may finish every part before a sleeping worker wakes.
/// A run under a budget above one is therefore repeated until a worker took part in it (the code under test is
/// deterministic, so every repetition computes the same thing), and fails if none ever did in 200 runs and 10 s: on a
/// loaded machine (CI's, or two suites at once) a worker can stay asleep through 200 short runs.
/// </remarks>
internal static class OnThreads
{
    private const int Attempts = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static TResult Run<TResult>(int threads, Func<TResult> run)
    {
        using var scope = Compute.WithThreads(threads);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 0; attempt < Attempts || clock.Elapsed < Patience; attempt++)
        {
            var result = run();
            if (threads == 1 || scope.PartsOnWorkers > 0) return result;
        }
        Assert.Fail($"asked for {threads} threads, but in {Attempts} runs and {Patience.TotalSeconds} s no part ran on a worker thread");
        return default!;
    }

    public static void Run(int threads, Action run) => Run(threads, () =>
    {
        run();
        return 0;
    });
}
