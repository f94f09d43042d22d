using FunctionalNets.Benchmarks;

namespace FunctionalNets.Tests.Benchmarks;

/// <summary>The workload runner's exit codes and messages: one line saying what is wrong, a stack trace only on request.</summary>
public class WorkloadRunnerTests
{
    private static (int Code, string Error) Run(IReadOnlyDictionary<string, Func<RunOptions, int>> workloads, params string[] args)
    {
        using var stderr = new StringWriter();
        var code = WorkloadRunner.Run(args, stderr, workloads);
        return (code, stderr.ToString());
    }

    // A stand-in for the real workloads: records the options it got, or fails as a workload might at run time.
    private static readonly Dictionary<string, Func<RunOptions, int>> Fake = new()
    {
        ["w1"] = _ => 0,
        ["fails"] = _ => throw new InvalidOperationException("W9: the data ran out\nafter step 3"),
    };

    [Theory]
    [InlineData("unknown workload 'w9' (expected one of w1, fails, bdn", "w9")]
    [InlineData("no workload given", new string[0])]
    [InlineData("--threads must be at least 1, got 0", "w1", "--threads", "0")]
    [InlineData("--threads must be at least 1, got -2", "w1", "--threads", "-2")]
    [InlineData("--threads must be a whole number, got 'x'", "w1", "--threads", "x")]
    [InlineData("--threads needs a value", "w1", "--threads")]
    [InlineData("unknown option '--fast' (expected --threads N, --width BITS, --quick or --verbose)", "w1", "--fast")]
    public void Bad_arguments_exit_2_with_one_line_saying_why(string reason, params string[] args)
    {
        var (code, error) = Run(Fake, args);
        Assert.Equal(WorkloadRunner.Usage, code);
        Assert.StartsWith($"{WorkloadRunner.Name}: {reason}", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void The_real_workload_table_names_every_workload_when_the_verb_is_unknown()
    {
        var (code, error) = Run(WorkloadRunner.Workloads, "w9");
        Assert.Equal(WorkloadRunner.Usage, code);
        Assert.Contains("w0, w1, w2, w3, w4, w5, bdn", error);
    }

    [Fact]
    public void Good_arguments_reach_the_workload()
    {
        RunOptions? seen = null;
        var (code, error) = Run(new Dictionary<string, Func<RunOptions, int>> { ["w1"] = o => { seen = o; return 0; } }, "w1", "--threads", "3", "--quick");
        Assert.Equal((0, ""), (code, error));
        Assert.Equal(new RunOptions(Threads: 3, Quick: true), seen);
    }

    [Fact]
    public void A_failure_at_run_time_exits_1_with_one_line_and_the_stack_only_when_verbose()
    {
        var (code, error) = Run(Fake, "fails");
        Assert.Equal(WorkloadRunner.Failure, code);
        Assert.Equal($"{WorkloadRunner.Name}: W9: the data ran out after step 3", error.TrimEnd());
        var (verboseCode, verbose) = Run(Fake, "fails", "--verbose");
        Assert.Equal(WorkloadRunner.Failure, verboseCode);
        Assert.StartsWith($"{WorkloadRunner.Name}: W9: the data ran out after step 3", verbose);
        Assert.Contains("System.InvalidOperationException", verbose);
        Assert.Contains(" at ", verbose);
    }

    [Fact]
    public void A_timed_figure_says_what_the_collector_did_once()
    {
        var seconds = Measure.Timed(4, () =>
        {
            for (var i = 0; i < 4; i++)
            {
                GC.Collect(); // a full, blocking collection each step
                var spin = System.Diagnostics.Stopwatch.StartNew();
                while (spin.ElapsedMilliseconds < 5) { } // and time the collector does not pause
            }
        });
        Assert.True(seconds > 0);
        using var line = System.Text.Json.JsonDocument.Parse(Measure.Line(new Dictionary<string, object> { ["workload"] = "W9" }));
        var perStep = line.RootElement.GetProperty("gc_per_step").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, perStep.Length);
        Assert.True(perStep[2] >= 1, $"four full collections in four steps, counted {perStep[2]} a step in generation 2");
        var share = line.RootElement.GetProperty("gc_pause_share").GetDouble();
        Assert.InRange(share, double.Epsilon, 1.0);
        Assert.False(Measure.Line(new Dictionary<string, object>()).Contains("gc_pause_share"), "the figures of one timed run were printed twice");
    }
}
