using System.Collections.Immutable;
using FunctionalNets.IO;
using FunctionalNets.Training;

namespace FunctionalNets.Runs;

/// <summary>The first step at which a replay disagrees with the run log.</summary>
/// <param name="Step">The step (as the log numbers them: steps done) whose digest differs.</param>
/// <param name="Logged">The digest the log recorded.</param>
/// <param name="Recomputed">The digest the replay computed.</param>
/// <param name="Source">What held the recomputed parameters: <c>the replay</c>, or the checkpoint it started from.</param>
public sealed record ReplayMismatch(long Step, string Logged, string Recomputed, string Source);

/// <summary>What a replay found: verified from one step to another, or the first step whose digest differs.</summary>
/// <param name="From">The step the replay started from (0, or a checkpoint's).</param>
/// <param name="To">The last step it re-executed (or reached before the mismatch).</param>
/// <param name="Digests">How many logged digests it compared (equal, unless the last is the mismatch).</param>
/// <param name="Checkpoint">The checkpoint it started from, or null when it started from the initial state.</param>
/// <param name="Skipped">Checkpoints passed over because they did not read back valid, each with the reason.</param>
/// <param name="Mismatch">The first disagreement, or null when every digest matched.</param>
public sealed record ReplayResult(long From, long To, int Digests, string? Checkpoint, ImmutableArray<string> Skipped, ReplayMismatch? Mismatch)
{
    /// <summary>Whether every recomputed digest matched the log.</summary>
    public bool Verified => Mismatch is null;

    /// <summary>Steps re-executed.</summary>
    public long Steps => To - From;

    /// <summary><c>verified N steps (S0 → S1)</c>, or the step whose digest differs.</summary>
    public override string ToString() => Mismatch is { } m
        ? $"step {m.Step}: {m.Source} gives digest {m.Recomputed}, the log recorded {m.Logged} (the first difference; {Digests - 1} digests matched before it)"
        : $"verified {Steps} steps ({From} → {To})";
}

/// <summary>
/// Replays a run from its directory: checks the log's chain, re-executes the steps with the run's own trainer (from
/// the initial state or a checkpoint) and compares every parameter digest it recomputes with the log's. Nothing is
/// written into the run directory.
/// </summary>
public static class Replay
{
    /// <summary>
    /// Re-executes the run in <paramref name="directory"/> up to step <paramref name="to"/> (default: the log's last
    /// step), starting from the newest valid checkpoint at or before <paramref name="from"/> (default 0: the initial
    /// state), and compares the digest after every step the log has one for. Run it inside
    /// <see cref="Kernels.Compute.WithThreads"/> to choose the thread count.
    /// </summary>
    /// <remarks>
    /// A broken chain is a <see cref="RunLogException"/> naming the line; steps outside the log are an
    /// <see cref="ArgumentException"/>. The checkpoint a replay starts from is compared with the log's digest too.
    /// </remarks>
    public static ReplayResult Verify(string directory, long from = 0, long? to = null)
    {
        var logPath = Path.Combine(directory, LanguageModelRun.LogName);
        var digests = Digests(RunLog.Read(logPath));
        var last = digests.Steps.Count == 0 ? 0 : digests.Steps.Max();
        var end = to ?? last;
        if (from < 0 || from > end || end > last)
            throw new ArgumentException($"{logPath}: cannot replay steps {from} → {end}: the log has steps 0 → {last}");
        var run = Open(directory);
        var start = Nearest(run, from);
        if (start.File is { } file && digests.Logged.TryGetValue(file.Step, out var atStart) && start.State.Params.Digest() is var held && held != atStart)
            return new(file.Step, file.Step, 1, file.Path, start.Skipped, new ReplayMismatch(file.Step, atStart, held, file.Path));
        var (state, compared) = (start.State, 0);
        foreach (var (next, _) in run.Trainer().Scan(start.State, LanguageModelRun.LongRange(start.State.Step, end)))
        {
            state = next;
            if (!digests.Logged.TryGetValue(next.Step, out var logged)) continue;
            compared++;
            var recomputed = next.Params.Digest();
            if (recomputed != logged)
                return new(start.State.Step, next.Step, compared, start.File?.Path, start.Skipped, new ReplayMismatch(next.Step, logged, recomputed, "the replay"));
        }
        return new(start.State.Step, state.Step, compared, start.File?.Path, start.Skipped, null);
    }

    /// <summary>The run in <paramref name="directory"/> as its log's header describes it, with its data loaded again (read only).</summary>
    public static LanguageModelRun Open(string directory)
    {
        var spec = LanguageModelRun.ReadSpec(directory);
        return new LanguageModelRun(directory, spec, RunData.Load(spec));
    }

    /// <summary>The run's state after <paramref name="step"/> steps: its newest valid checkpoint at or before it, trained on to it.</summary>
    public static TrainState<float> StateAt(LanguageModelRun run, long step)
    {
        var start = Nearest(run, step);
        return run.Trainer().Fit(start.State, LanguageModelRun.LongRange(start.State.Step, step));
    }

    /// <summary>
    /// The newest checkpoint of <paramref name="run"/> at or before <paramref name="step"/> that reads back valid (the
    /// initial state when there is none), with the newer files passed over and why.
    /// </summary>
    public static (TrainState<float> State, CheckpointFile? File, ImmutableArray<string> Skipped) Nearest(LanguageModelRun run, long step)
    {
        var template = LanguageModelRun.Initial(run.Spec);
        var skipped = ImmutableArray.CreateBuilder<string>();
        foreach (var file in run.Checkpoints.List().Where(f => f.Step <= step).Reverse())
        {
            var read = Checkpoint.TryRead(file.Path, template).Match(c => (c.State, Error: ""), e => (null!, e.Message));
            if (read.State?.Step == file.Step) return (read.State, file, skipped.ToImmutable());
            skipped.Add(read.State is null ? read.Error : $"{file.Path}: holds step {read.State.Step}, but its name says step {file.Step}");
        }
        return (template, null, skipped.ToImmutable());
    }

    // The step numbers of the log's step lines and the digests they recorded.
    internal static (HashSet<long> Steps, Dictionary<long, string> Logged) Digests(IReadOnlyList<RunLogLine> lines)
    {
        var (steps, logged) = (new HashSet<long>(), new Dictionary<long, string>());
        foreach (var line in lines.Where(l => l.Event == "step"))
        {
            var step = line.Fields["step"]!.GetValue<long>();
            steps.Add(step);
            if (line.Fields["digest"]?.GetValue<string>() is { } digest) logged[step] = digest;
        }
        return (steps, logged);
    }
}
