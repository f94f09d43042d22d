using System.Text.Json;
using BenchmarkDotNet.Running;

namespace FunctionalNets.Benchmarks;

/// <summary>
/// Entry point: `dotnet run -c Release --project tests/FunctionalNets.Benchmarks -- w1 [--threads N] [--width 512|256|128]`
/// runs a workload of /work/shared/WORKLOADS.md and prints one JSON object per figure (each names the vector paths
/// that ran); `-- bdn [BenchmarkDotNet args]` runs the BenchmarkDotNet classes.
/// </summary>
public static class WorkloadRunner
{
    /// <summary>The workloads by verb; each runs in its own process, as WORKLOADS.md requires.</summary>
    private static readonly Dictionary<string, Func<RunOptions, int>> Workloads = new(StringComparer.OrdinalIgnoreCase)
    {
        ["w0"] = o => Single(o, _ => new() { ["workload"] = "W0" }), // start-up only: the baseline for peak RSS
        ["w1"] = W1Gemm.Run,
        ["w2"] = o => Single(o, W2Mlp.Run),
        ["w3"] = o => Single(o, W3Gpt.Train),
        ["w4"] = o => Single(o, W3Gpt.Infer),
        ["w5"] = o => Single(o, W5Toy.Run),
    };

    /// <summary>Runs a one-figure workload with the given thread count and prints its figure.</summary>
    private static int Single(RunOptions options, Func<bool, Dictionary<string, object>> workload)
    {
        using var threads = Kernels.Compute.WithThreads(options.Threads);
        var figure = workload(options.Quick);
        figure["threads"] = options.Threads;
        Measure.Emit(figure);
        return 0;
    }

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0].Equals("bdn", StringComparison.OrdinalIgnoreCase))
        {
            BenchmarkSwitcher.FromAssembly(typeof(WorkloadRunner).Assembly).Run(args[1..]);
            return 0;
        }
        if (args.Length == 0 || !Workloads.TryGetValue(args[0], out var workload) || RunOptions.Parse(args[1..]) is not { } options)
        {
            Console.Error.WriteLine($"usage: FunctionalNets.Benchmarks {{{string.Join('|', Workloads.Keys)}}} [--threads N] [--width 512|256|128] [--quick] | bdn [BenchmarkDotNet args]");
            return 2;
        }
        if (options.Width is { } bits)
        {
            if (Kernels.VectorWidth.Unavailable(bits) is { } error)
            {
                Console.Error.WriteLine($"--width {bits}: {error}");
                return 1;
            }
            Kernels.VectorWidth.UseForProcess(bits);
        }
        Console.Error.WriteLine($"vector paths: {Kernels.VectorWidth.Describe()}");
        return workload(options);
    }
}

/// <summary>Options shared by every workload.</summary>
/// <param name="Threads">Compute threads (WORKLOADS.md: 2 on this machine).</param>
/// <param name="Quick">Fewer repetitions, for smoke tests (the PyTorch harness's --quick).</param>
/// <param name="Width">The kernels' vector width in bits (512, 256 or 128), or null for the machine's widest.</param>
public sealed record RunOptions(int Threads, bool Quick = false, int? Width = null)
{
    /// <summary>Parses `[--threads N] [--quick] [--width BITS]`; null on anything else.</summary>
    public static RunOptions? Parse(ReadOnlySpan<string> args)
    {
        var (threads, quick, width) = (2, false, (int?)null);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--threads" && i + 1 < args.Length && int.TryParse(args[i + 1], out threads) && threads >= 1)
                i++;
            else if (args[i] == "--width" && i + 1 < args.Length && int.TryParse(args[i + 1], out var bits))
                (width, i) = (bits, i + 1);
            else if (args[i] == "--quick")
                quick = true;
            else
                return null;
        }
        return new RunOptions(threads, quick, width);
    }
}

/// <summary>Timing and reporting helpers shared by the workloads.</summary>
public static class Measure
{
    /// <summary>Seconds elapsed since a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> reading.</summary>
    public static double Since(long start) => System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;

    /// <summary>The median of the values (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Seconds taken by <paramref name="work"/>.</summary>
    public static double Seconds(Action work)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        work();
        return Since(start);
    }

    /// <summary>
    /// Per-step time over <paramref name="reps"/> repetitions of <paramref name="steps"/> steps: the median of the
    /// repetitions' per-step times, and the mean (all timed steps' total wall time over their number).
    /// </summary>
    public static (double Median, double Mean) PerStep(int reps, int steps, Action step)
    {
        var times = Enumerable.Range(0, reps).Select(_ => Seconds(() =>
        {
            for (var i = 0; i < steps; i++) step();
        })).ToArray();
        return (Median(times) / steps, times.Sum() / (reps * steps));
    }

    /// <summary>Prints one figure as a single-line JSON object, framework first and the vector paths last.</summary>
    public static void Emit(IReadOnlyDictionary<string, object> fields)
    {
        var line = new Dictionary<string, object> { ["framework"] = "functionalnets" };
        foreach (var (key, value) in fields) line[key] = value;
        line["vector_paths"] = Kernels.VectorWidth.Describe();
        Console.WriteLine(JsonSerializer.Serialize(line));
    }
}
