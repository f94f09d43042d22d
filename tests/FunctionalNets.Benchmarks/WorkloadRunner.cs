using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Running;
using LanguageExt;
using LanguageExt.Common;

namespace FunctionalNets.Benchmarks;

/// <summary>
/// Entry point: `dotnet run -c Release --project tests/FunctionalNets.Benchmarks -- w1 [--threads N] [--width 512|256|128]
/// [--quick] [--verbose]` runs a workload of /work/shared/WORKLOADS.md and prints one JSON object per figure (each
/// names the vector paths that ran); `-- bdn [BenchmarkDotNet args]` runs the BenchmarkDotNet classes.
/// </summary>
/// <remarks>
/// Exit codes, as the CLI's: 0 done; 2 bad arguments, with one line on stderr saying which argument and why; 1 a
/// failure while running, one line on stderr (the stack trace too with <c>--verbose</c>).
/// </remarks>
public static class WorkloadRunner
{
    /// <summary>The name errors start with.</summary>
    public const string Name = "FunctionalNets.Benchmarks";

    /// <summary>Exit code for bad arguments.</summary>
    public const int Usage = 2;

    /// <summary>Exit code for a failure while running.</summary>
    public const int Failure = 1;

    /// <summary>The workloads by verb; each runs in its own process, as WORKLOADS.md requires.</summary>
    public static IReadOnlyDictionary<string, Func<RunOptions, int>> Workloads { get; } = new Dictionary<string, Func<RunOptions, int>>(StringComparer.OrdinalIgnoreCase)
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

    /// <summary>Runs the workload <paramref name="args"/> name, reporting problems on the console's error stream.</summary>
    public static int Run(string[] args) => Run(args, Console.Error, Workloads);

    /// <summary>Runs one of <paramref name="workloads"/> as <paramref name="args"/> say; problems go to <paramref name="stderr"/> as one line.</summary>
    public static int Run(string[] args, TextWriter stderr, IReadOnlyDictionary<string, Func<RunOptions, int>> workloads)
    {
        if (args.Length > 0 && args[0].Equals("bdn", StringComparison.OrdinalIgnoreCase))
        {
            BenchmarkSwitcher.FromAssembly(typeof(WorkloadRunner).Assembly).Run(args[1..]);
            return 0;
        }
        if (args.Length == 0 || !workloads.TryGetValue(args[0], out var workload))
        {
            var known = string.Join(", ", workloads.Keys.Append("bdn"));
            stderr.WriteLine($"{Name}: {(args.Length == 0 ? "no workload given" : $"unknown workload '{args[0]}'")} (expected one of {known}, then [--threads N] [--width 512|256|128] [--quick] [--verbose])");
            return Usage;
        }
        return RunOptions.Parse(args.AsSpan(1)).Match(
            Succ: options => Execute(workload, options, stderr),
            Fail: error =>
            {
                stderr.WriteLine($"{Name}: {error.Message}");
                return Usage;
            });
    }

    private static int Execute(Func<RunOptions, int> workload, RunOptions options, TextWriter stderr)
    {
        try
        {
            if (options.Width is { } bits)
            {
                if (Kernels.VectorWidth.Unavailable(bits) is { } error)
                {
                    stderr.WriteLine($"{Name}: --width {bits}: {error}");
                    return Failure;
                }
                Kernels.VectorWidth.UseForProcess(bits);
            }
            return workload(options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"{Name}: {e.Message.ReplaceLineEndings(" ")}");
            if (options.Verbose) stderr.WriteLine(e);
            return Failure;
        }
    }
}

/// <summary>Options shared by every workload.</summary>
/// <param name="Threads">Compute threads (WORKLOADS.md: 2 on this machine).</param>
/// <param name="Quick">Fewer repetitions, for smoke tests (the PyTorch harness's --quick).</param>
/// <param name="Verbose">On a failure, print the stack trace after the one-line message.</param>
/// <param name="Width">The kernels' vector width in bits (512, 256 or 128), or null for the machine's widest.</param>
public sealed record RunOptions(int Threads, bool Quick = false, bool Verbose = false, int? Width = null)
{
    /// <summary>Parses `[--threads N] [--width BITS] [--quick] [--verbose]`; an error names the first bad argument and why.</summary>
    public static Fin<RunOptions> Parse(ReadOnlySpan<string> args)
    {
        var options = new RunOptions(Threads: 2);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads" when i + 1 == args.Length:
                    return Error.New("--threads needs a value, a whole number ≥ 1");
                case "--threads":
                    if (!int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var threads))
                        return Error.New($"--threads must be a whole number, got '{args[i]}'");
                    if (threads < 1)
                        return Error.New($"--threads must be at least 1, got {threads}");
                    options = options with { Threads = threads };
                    break;
                case "--width" when i + 1 == args.Length:
                    return Error.New("--width needs a value: 512, 256 or 128");
                case "--width":
                    if (!int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bits) || bits is not (512 or 256 or 128))
                        return Error.New($"--width must be 512, 256 or 128, got '{args[i]}'");
                    options = options with { Width = bits };
                    break;
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "--verbose":
                    options = options with { Verbose = true };
                    break;
                default:
                    return Error.New($"unknown option '{args[i]}' (expected --threads N, --width BITS, --quick or --verbose)");
            }
        }
        return options;
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
    /// The wall time of <paramref name="work"/>, which runs <paramref name="steps"/> steps; what the garbage collector
    /// did meanwhile (its pauses' share of that time, collections per step in generations 0, 1 and 2) is printed with
    /// the next figure.
    /// </summary>
    public static double Timed(int steps, Action work)
    {
        // The pause total is read inside the timed window, so a collection (by any thread) that ends between a
        // reading and the clock cannot count a pause the window does not hold.
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var (pause, collections) = (GC.GetTotalPauseDuration(), Collections());
        work();
        var (pauseAfter, collectionsAfter) = (GC.GetTotalPauseDuration(), Collections());
        var seconds = Since(start);
        timedGc = new()
        {
            ["gc_pause_share"] = Math.Round((pauseAfter - pause).TotalSeconds / seconds, 4),
            ["gc_per_step"] = collectionsAfter.Zip(collections, (after, before) => Math.Round((after - before) / (double)steps, 4)).ToArray(),
        };
        return seconds;
    }

    private static int[] Collections() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    private static Dictionary<string, object>? timedGc;

    /// <summary>
    /// Per-step time over <paramref name="reps"/> repetitions of <paramref name="steps"/> steps: the median of the
    /// repetitions' per-step times, and the mean (all timed steps' total wall time over their number).
    /// </summary>
    public static (double Median, double Mean) PerStep(int reps, int steps, Action step)
    {
        var times = new double[reps];
        var total = Timed(reps * steps, () =>
        {
            for (var r = 0; r < reps; r++)
                times[r] = Seconds(() =>
                {
                    for (var i = 0; i < steps; i++) step();
                });
        });
        return (Median(times) / steps, total / (reps * steps));
    }

    /// <summary>Prints one figure as a single-line JSON object, framework first and the vector paths last.</summary>
    public static void Emit(IReadOnlyDictionary<string, object> fields) => Console.WriteLine(Line(fields));

    /// <summary>The line <see cref="Emit"/> prints: the fields, then what the collector did in the last timed work (once), then the vector paths.</summary>
    public static string Line(IReadOnlyDictionary<string, object> fields)
    {
        var line = new Dictionary<string, object> { ["framework"] = "functionalnets" };
        foreach (var (key, value) in fields) line[key] = value;
        foreach (var (key, value) in timedGc ?? []) line[key] = value;
        timedGc = null;
        line["vector_paths"] = Kernels.VectorWidth.Describe();
        return JsonSerializer.Serialize(line);
    }
}
