using System.Diagnostics;
using System.Text.Json.Nodes;
using FunctionalNets.Autodiff;
using FunctionalNets.IO;
using FunctionalNets.Kernels;
using FunctionalNets.Models;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Runs;

/// <summary>Something a run did, in the order it happened: what progress displays, logs and scripts follow.</summary>
public abstract record RunEvent;

/// <summary>A step finished: its report, the state after it, and the training throughput so far.</summary>
/// <param name="State">
/// The state after the step, lent until the run takes its next step: that step donates it, so later steps write into its
/// tensors (<see cref="Trainer{T, TBatch}.Step(TrainState{T}, TBatch, StepBuffers?, bool)"/>). Its checkpoints are the states to keep.
/// </param>
/// <param name="Report">The step's report (its <c>Step</c> is 0-based; <c>State.Step</c> counts steps done).</param>
/// <param name="TrainSeconds">Wall time spent training so far (evaluations excluded).</param>
/// <param name="TokensPerSecond">Tokens trained per second of <paramref name="TrainSeconds"/>, over this session's steps.</param>
public sealed record StepEvent(TrainState<float> State, StepReport Report, double TrainSeconds, double TokensPerSecond) : RunEvent;

/// <summary>An evaluation after <paramref name="Step"/> steps.</summary>
/// <param name="Step">Steps done when it ran.</param>
/// <param name="Result">What it measured.</param>
public sealed record EvalEvent(long Step, Evaluation Result) : RunEvent;

/// <summary>A checkpoint was written (atomically) after <paramref name="Step"/> steps.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="File">Its path.</param>
/// <param name="Digest">The parameters' digest.</param>
public sealed record CheckpointEvent(long Step, string File, string Digest) : RunEvent;

/// <summary>The run ended, either at its last step or stopped early on request.</summary>
/// <param name="Steps">Steps done.</param>
/// <param name="TrainSeconds">Wall time spent training in this session (evaluations excluded).</param>
/// <param name="TokensPerSecond">Tokens trained per second of it.</param>
/// <param name="TrainLoss">The mean loss of the last (up to) 20 steps.</param>
/// <param name="Final">The final evaluation; null when stopped early.</param>
/// <param name="Digest">The final parameters' digest.</param>
/// <param name="Checkpoint">The last checkpoint written.</param>
/// <param name="Stopped">Whether a stop request ended it early.</param>
public sealed record EndEvent(long Steps, double TrainSeconds, double TokensPerSecond, double TrainLoss, Evaluation? Final, string Digest,
    string Checkpoint, bool Stopped) : RunEvent;

/// <summary>
/// A language-model run in a directory: <c>run.jsonl</c> (the chained log) and <c>checkpoints/</c>. Training is the
/// trainer's fold over steps, with the log written and evaluations and checkpoints taken as it goes; every
/// checkpoint holds the whole state, so resuming continues bit for bit.
/// </summary>
public sealed record LanguageModelRun(string Directory, RunSpec Spec, RunData Data)
{
    /// <summary>The run log's file name inside a run directory.</summary>
    public const string LogName = "run.jsonl";

    /// <summary>The run log's path.</summary>
    public string LogPath => Path.Combine(Directory, LogName);

    /// <summary>The run's checkpoints.</summary>
    public CheckpointDirectory Checkpoints => CheckpointDirectory.OfRun(Directory);

    /// <summary>The state before the first step: parameters initialised from the spec's key, the optimizer's state.</summary>
    /// <remarks>Also the template a checkpoint of the run is checked against (every tensor, its shape and dtype).</remarks>
    public static TrainState<float> Initial(RunSpec spec)
    {
        var sample = Tensor.Zeros<int>([1, spec.Model.Context]);
        var parameters = Net.Init(Gpt.Logits<float>(spec.Model, sample), spec.InitKey);
        return TrainState<float>.Start(parameters, spec.Recipe.Optimizer<float>(), spec.TrainKey);
    }

    /// <summary>The trainer: step i trains on batch <c>TrainBatch(DataKey, i)</c>; digests are taken by the run when due.</summary>
    public Trainer<float, long> Trainer() =>
        new(step => LanguageModel.Loss<float>(Spec.Model, Data.Batches.TrainBatch(Spec.DataKey, step)), Spec.Recipe.Optimizer<float>(),
            DigestParams: false, ReuseBuffers: true);

    /// <summary>
    /// Starts a run in <paramref name="directory"/>, which must be empty or absent unless <paramref name="force"/>
    /// (then its run log and checkpoints are replaced); writes the log's header.
    /// </summary>
    public static LanguageModelRun Create(string directory, RunSpec spec, RunData data, bool force)
    {
        if (System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            if (!force) throw new IOException($"{directory}: not empty (pass --force to replace the run in it)");
            File.Delete(Path.Combine(directory, LogName));
            var old = CheckpointDirectory.OfRun(directory).Path;
            if (System.IO.Directory.Exists(old)) System.IO.Directory.Delete(old, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory);
        var run = new LanguageModelRun(directory, spec, data);
        using var log = RunLogWriter.Create(run.LogPath, Header(spec));
        return run;
    }

    /// <summary>The spec in the header of the run log in <paramref name="directory"/>.</summary>
    public static RunSpec ReadSpec(string directory)
    {
        var path = Path.Combine(directory, LogName);
        return RunSpec.FromJson(RunLog.Read(path, dropTornTail: true)[0].Fields["run"]?.AsObject() ?? throw new RunLogException($"{path}: the header has no run settings"), path);
    }

    /// <summary>
    /// Trains from <paramref name="from"/> to <c>Spec.Recipe.Iters</c> steps, yielding every event. A cancelled
    /// <paramref name="stop"/> ends the run after the step in progress, with a checkpoint. Run it inside
    /// <see cref="Kernels.Compute.WithThreads"/> to choose the thread count (the bits do not depend on it).
    /// </summary>
    /// <remarks>
    /// The log is continued after its lines up to <c>from.Step</c> (a resume drops the lines of steps it will redo).
    /// Evaluation time is excluded from the training time, checkpoint writes are included.
    /// </remarks>
    public IEnumerable<RunEvent> Train(TrainState<float> from, CancellationToken stop = default)
    {
        using var log = RunLogWriter.Continue(LogPath, LinesUpTo(from.Step));
        if (from.Step > 0) log.Write("resume", new JsonObject { ["step"] = from.Step, ["iters"] = Spec.Recipe.Iters });
        var tokensPerStep = (double)Spec.Recipe.Batch * Data.Batches.ContextLength;
        var (clock, evalTicks) = (Stopwatch.StartNew(), 0L);
        var recent = new Queue<double>();
        var (state, checkpoint) = (from, "");
        var steps = LongRange(from.Step, Spec.Recipe.Iters);
        double Seconds() => (double)(clock.ElapsedTicks - evalTicks) / Stopwatch.Frequency;
        var stopped = false;
        // One set of buffers for the steps and the evaluations between them: a step's tensors are dead when it returns,
        // so an evaluation can take them back, and the next step takes the evaluation's back. Every state after the
        // caller's is the run's own and is donated to the step after it; its memory is written from the step after that one, and
        // by then its checkpoint is saved and its pending digest complete (WritePending runs between the two).
        var (trainer, buffers) = (Trainer(), new StepBuffers());
        // A step line whose digest the compute threads hash in the moments they would otherwise wait, during the
        // next step; the line is written right after that step, before any later line.
        (SlicedDigest<float> Digest, long Step, StepReport Report)? pending = null;
        void WritePending()
        {
            if (pending is not { } p) return;
            pending = null;
            StaticParallel.WithdrawIdleWork(p.Digest);
            using (p.Digest) log.Write("step", StepLine(p.Step, p.Report, p.Digest.Complete()));
        }
        try
        {
            foreach (var step in steps)
            {
                var (next, report) = trainer.Step(state, step, buffers, donate: !ReferenceEquals(state, from));
                WritePending();
                state = next;
                recent.Enqueue(report.Loss);
                if (recent.Count > 20) recent.Dequeue();
                var last = state.Step == Spec.Recipe.Iters;
                stopped = stop.IsCancellationRequested && !last;
                var checkpointDue = last || stopped || Due(state.Step, Spec.CheckpointEvery);
                var evalDue = !last && !stopped && Due(state.Step, Spec.EvalEvery);
                var digestDue = checkpointDue || Due(state.Step, Spec.DigestEvery);
                string? digest = null;
                if (digestDue && !checkpointDue && !evalDue)
                {
                    pending = (new SlicedDigest<float>(state.Params), state.Step, report);
                    StaticParallel.OfferIdleWork(pending.Value.Digest); // when refused, Complete hashes it all
                }
                else
                {
                    digest = digestDue ? state.Params.Digest() : null;
                    log.Write("step", StepLine(state.Step, report, digest));
                }
                var seconds = Seconds();
                yield return new StepEvent(state, report, seconds, (state.Step - from.Step) * tokensPerStep / seconds);
                if (evalDue)
                {
                    var started = clock.ElapsedTicks;
                    var result = Data.Evaluate(state.Params, Spec.Model, Spec.EvalBatches, buffers);
                    evalTicks += clock.ElapsedTicks - started;
                    log.Write("eval", EvalLine(state.Step, result));
                    yield return new EvalEvent(state.Step, result);
                }
                if (checkpointDue)
                {
                    checkpoint = Checkpoints.Save(state, Metadata(), Spec.Keep).Path;
                    log.Write("checkpoint", new JsonObject { ["step"] = state.Step, ["file"] = Path.GetRelativePath(Directory, checkpoint), ["digest"] = digest });
                    yield return new CheckpointEvent(state.Step, checkpoint, digest!);
                }
                if (stopped) break;
            }
        }
        finally
        {
            WritePending(); // a failed step still leaves the line of the one before it
        }
        var trainSeconds = Seconds();
        var final = stopped ? null : Data.Evaluate(state.Params, Spec.Model, Spec.EvalBatches, buffers);
        if (final is not null) log.Write("eval", EvalLine(state.Step, final));
        var end = new EndEvent(state.Step, trainSeconds, (state.Step - from.Step) * tokensPerStep / trainSeconds,
            recent.Count > 0 ? recent.Average() : double.NaN, final, state.Params.Digest(), checkpoint, stopped);
        log.Write("end", new JsonObject
        {
            ["step"] = end.Steps,
            ["stopped"] = end.Stopped,
            ["train_s"] = RunLog.Number(end.TrainSeconds),
            ["tokens_per_s"] = RunLog.Number(end.TokensPerSecond),
            ["train_loss"] = RunLog.Number(end.TrainLoss),
            ["val_loss"] = final is null ? null : RunLog.Number(final.Loss),
            ["accuracy"] = final?.Accuracy is { } a ? RunLog.Number(a) : null,
            ["digest"] = end.Digest,
            ["checkpoint"] = Path.GetRelativePath(Directory, end.Checkpoint),
        });
        yield return end;
    }

    /// <summary>The metadata every checkpoint of this run carries besides the state: the run's settings, model and tokenizer.</summary>
    public IReadOnlyDictionary<string, string> Metadata() => new Dictionary<string, string>
    {
        ["run"] = Spec.ToJson().ToJsonString(),
        ["config"] = Spec.Model.ToJson(),
        ["tokenizer"] = Spec.Tokenizer,
        ["vocabulary"] = Spec.TokenizerState,
    };

    // How many leading lines of the log belong to steps ≤ step (the header always does).
    private int LinesUpTo(long step) =>
        1 + RunLog.Read(LogPath, dropTornTail: true).Skip(1).TakeWhile(l => (l.Fields["step"]?.GetValue<long>() ?? long.MaxValue) <= step).Count();

    private static bool Due(long step, int every) => every > 0 && step % every == 0;

    /// <summary>The steps from, from + 1, …, to − 1.</summary>
    internal static IEnumerable<long> LongRange(long from, long to)
    {
        for (var i = from; i < to; i++) yield return i;
    }

    private static JsonObject StepLine(long step, StepReport r, string? digest) => new()
    {
        ["step"] = step,
        ["loss"] = RunLog.Number(r.Loss),
        ["lr"] = RunLog.Number(r.LearningRate),
        ["grad_norm"] = RunLog.Number(r.GradNorm),
        ["update_ratio"] = RunLog.Number(r.UpdateRatio),
        ["non_finite"] = r.NonFinite,
        ["digest"] = digest,
    };

    private static JsonObject EvalLine(long step, Evaluation e) => new()
    {
        ["step"] = step,
        ["val_loss"] = RunLog.Number(e.Loss),
        ["accuracy"] = e.Accuracy is { } a ? RunLog.Number(a) : null,
    };

    // The format, where the run ran (RunEnvironment) and its settings.
    private static JsonObject Header(RunSpec spec)
    {
        var header = new JsonObject { ["format"] = RunLog.FormatVersion };
        foreach (var (name, value) in RunEnvironment.Describe()) header[name] = value?.DeepClone();
        header["run"] = spec.ToJson();
        return header;
    }
}
