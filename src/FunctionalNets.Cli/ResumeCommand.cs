using System.CommandLine;
using FunctionalNets.Runs;

namespace FunctionalNets.Cli;

/// <summary><c>fnets resume DIR</c>: continue a run from its newest valid checkpoint, bit for bit.</summary>
public static class ResumeCommand
{
    private static readonly Argument<string> Dir = new("dir") { Description = "The run directory (as given to train --out)" };
    private static readonly Option<long?> Iters = new("--iters") { Description = "The run's total steps (default: as it was started)" };

    /// <summary>The <c>resume</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("resume", "Continue a run from its newest valid checkpoint; the result is bit-identical to an uninterrupted run")
        {
            Dir, Iters, Running.Threads, Running.Json, Running.LogEvery,
        };
        command.SetAction(parse => Resume(io, parse));
        return command;
    }

    private static int Resume(Io io, ParseResult parse)
    {
        var dir = parse.GetValue(Dir)!;
        var spec = LanguageModelRun.ReadSpec(dir);
        if (parse.GetValue(Iters) is { } iters)
            spec = iters > 0 ? spec with { Recipe = spec.Recipe with { Iters = iters } } : throw new UsageException($"--iters must be positive, got {iters}");
        var run = new LanguageModelRun(dir, spec, RunData.Load(spec));
        var search = run.Checkpoints.Newest(LanguageModelRun.Initial(spec));
        foreach (var skipped in search.Skipped)
            io.Error.WriteLine($"fnets: warning: skipping a damaged checkpoint: {skipped.Reason}");
        var (_, checkpoint) = search.Newest.IfNone(() => throw new IOException($"{run.Checkpoints.Path}: no valid checkpoint to resume from"));
        if (checkpoint.State.Step >= spec.Recipe.Iters)
            throw new UsageException($"{dir} is at step {checkpoint.State.Step} of {spec.Recipe.Iters}; pass --iters with a larger total to train on");
        using var threads = Running.ThreadScope(parse);
        return Running.Execute(io, parse, run, checkpoint.State);
    }
}
