using System.CommandLine;
using System.Text.Json.Nodes;
using FunctionalNets.Kernels;
using FunctionalNets.Runs;
using FunctionalNets.Training;

namespace FunctionalNets.Cli;

/// <summary>What <c>train</c> and <c>resume</c> share: the thread count, the output mode, and running a run to its end.</summary>
public static class Running
{
    /// <summary>Compute threads (default: all cores); the results do not depend on it.</summary>
    public static readonly Option<int?> Threads = new("--threads") { Description = "Compute threads (default: every core); results are the same bits for any count" };

    /// <summary>JSON lines only, the last one the <c>done</c> line that scripts read.</summary>
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON lines only; the last is {\"event\":\"done\", …}" };

    /// <summary>How often the plain and JSON outputs print a step.</summary>
    public static readonly Option<int> LogEvery = new("--log-every") { Description = "Print progress every N steps when not on a terminal", DefaultValueFactory = _ => 100 };

    /// <summary>The thread scope the command runs in; a count below 1 is a usage error.</summary>
    public static ComputeScope ThreadScope(ParseResult parse)
    {
        var threads = parse.GetValue(Threads) ?? Environment.ProcessorCount;
        if (threads < 1) throw new UsageException($"--threads must be at least 1, got {threads}");
        return Compute.WithThreads(threads);
    }

    /// <summary>Runs <paramref name="run"/> from <paramref name="from"/> to its end, showing progress; the exit code.</summary>
    public static int Execute(Io io, ParseResult parse, LanguageModelRun run, TrainState<float> from)
    {
        var logEvery = parse.GetValue(LogEvery);
        if (logEvery < 1) throw new UsageException($"--log-every must be at least 1, got {logEvery}");
        var (iters, tokensPerStep) = (run.Spec.Recipe.Iters, (double)run.Spec.Recipe.Batch * run.Spec.Model.Context);
        IProgressView view = parse.GetValue(Json) ? new JsonView(io.Out, logEvery)
            : ReferenceEquals(io.Out, Console.Out) && !Console.IsOutputRedirected ? new LiveView(iters)
            : new PlainView(io.Out, logEvery, iters, tokensPerStep);
        view.Start(run, from.Step);
        EndEvent? end = null;
        view.Show(Events(run.Train(from, io.Stop), e => end = e as EndEvent ?? end));
        view.Finish(end!, run);
        return end!.Stopped ? Cli.Interrupted : 0;
    }

    private static IEnumerable<RunEvent> Events(IEnumerable<RunEvent> events, Action<RunEvent> observe)
    {
        foreach (var e in events)
        {
            observe(e);
            yield return e;
        }
    }

    /// <summary>The <c>done</c> line: what scripts and the benchmark read.</summary>
    public static JsonObject DoneLine(EndEvent end) => new JsonObject
    {
        ["event"] = "done",
        ["steps"] = end.Steps,
        ["stopped"] = end.Stopped,
        ["train_s"] = RunLog.Number(end.TrainSeconds),
        ["tokens_per_s"] = RunLog.Number(end.TokensPerSecond),
        ["train_loss"] = RunLog.Number(end.TrainLoss),
        ["val_loss"] = end.Final is { } f ? RunLog.Number(f.Loss) : null,
        ["digest"] = end.Digest,
        ["checkpoint"] = end.Checkpoint,
    }.WithAccuracy(end.Final?.Accuracy);
}
