using System.Text.Json.Nodes;
using FunctionalNets.Runs;
using Spectre.Console;

namespace FunctionalNets.Cli;

/// <summary>How a run's progress is shown: a live display on a terminal, plain lines in a log, JSON lines for scripts.</summary>
internal interface IProgressView
{
    void Start(LanguageModelRun run, long fromStep);

    void Show(IEnumerable<RunEvent> events);

    void Finish(EndEvent end, LanguageModelRun run);
}

/// <summary>Plain lines every N steps, and one per evaluation and checkpoint: readable in CI logs.</summary>
internal sealed class PlainView(TextWriter output, int every, long iters, double tokensPerStep) : IProgressView
{
    private double? valLoss;

    public void Start(LanguageModelRun run, long fromStep) => Summary.Start(output, run, fromStep);

    public void Show(IEnumerable<RunEvent> events)
    {
        foreach (var e in events)
            switch (e)
            {
                case StepEvent s when s.State.Step % every == 0 || s.State.Step == iters:
                    output.WriteLine(Summary.StepLine(s, iters, tokensPerStep, valLoss));
                    break;
                case EvalEvent v:
                    valLoss = v.Result.Loss;
                    output.WriteLine(Summary.EvalLine(v));
                    break;
                case CheckpointEvent c:
                    output.WriteLine($"checkpoint  step {c.Step} → {c.File}");
                    break;
            }
    }

    public void Finish(EndEvent end, LanguageModelRun run) => Summary.End(output, end, run);
}

/// <summary>A Spectre.Console live display: a bar over the steps with loss, validation loss, tokens/s and the time left.</summary>
internal sealed class LiveView(long iters) : IProgressView
{
    public void Start(LanguageModelRun run, long fromStep) => Summary.Start(Console.Out, run, fromStep);

    public void Show(IEnumerable<RunEvent> events) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: iters);
                double? valLoss = null;
                foreach (var e in events)
                    switch (e)
                    {
                        case StepEvent s:
                            task.Value = s.State.Step;
                            // Short enough that the bar, percentage and time left fit an 80-column terminal.
                            task.Description = Markup.Escape($"{s.State.Step}/{iters} loss {s.Report.Loss:F3}" +
                                (valLoss is { } last ? $" val {last:F3}" : "") + $" {s.TokensPerSecond:N0} tok/s");
                            break;
                        case EvalEvent v:
                            valLoss = v.Result.Loss;
                            AnsiConsole.MarkupLine(Markup.Escape(Summary.EvalLine(v)));
                            break;
                    }
            });

    public void Finish(EndEvent end, LanguageModelRun run) => Summary.End(Console.Out, end, run);
}

/// <summary>JSON lines only: steps every N, evaluations, checkpoints, and the <c>done</c> line last.</summary>
internal sealed class JsonView(TextWriter output, int every) : IProgressView
{
    public void Start(LanguageModelRun run, long fromStep) =>
        output.WriteLine(new JsonObject { ["event"] = "start", ["dir"] = run.Directory, ["from_step"] = fromStep, ["run"] = run.Spec.ToJson() }.ToJsonString());

    public void Show(IEnumerable<RunEvent> events)
    {
        foreach (var e in events)
        {
            var line = e switch
            {
                StepEvent s when s.State.Step % every == 0 => new JsonObject
                {
                    ["event"] = "step",
                    ["step"] = s.State.Step,
                    ["loss"] = RunLog.Number(s.Report.Loss),
                    ["lr"] = RunLog.Number(s.Report.LearningRate),
                    ["tokens_per_s"] = RunLog.Number(s.TokensPerSecond),
                },
                EvalEvent v => Summary.EvalJson(v.Step, v.Result),
                CheckpointEvent c => new JsonObject { ["event"] = "checkpoint", ["step"] = c.Step, ["file"] = c.File, ["digest"] = c.Digest },
                _ => null,
            };
            if (line is not null) output.WriteLine(line.ToJsonString());
        }
    }

    public void Finish(EndEvent end, LanguageModelRun run) => output.WriteLine(Running.DoneLine(end).ToJsonString());
}

/// <summary>The words every human-readable view shares.</summary>
internal static class Summary
{
    public static void Start(TextWriter output, LanguageModelRun run, long fromStep)
    {
        var (m, r) = (run.Spec.Model, run.Spec.Recipe);
        output.WriteLine($"{(fromStep > 0 ? $"resuming at step {fromStep}" : "training")} in {run.Directory}: {Describe(run.Data)}");
        output.WriteLine($"model: {m.Layers} block{(m.Layers == 1 ? "" : "s")}, {m.Heads} head{(m.Heads == 1 ? "" : "s")}, width {m.Channels}, context {m.Context}, vocabulary {m.Vocab} ({run.Spec.Tokenizer}); " +
                         $"{r.Iters:N0} steps of {r.Batch} × {m.Context} tokens, lr {r.Lr:G3} → {r.MinLr:G3}");
    }

    // The time left at this session's pace: steps to go × tokens per step ÷ tokens per second.
    public static string StepLine(StepEvent s, long iters, double tokensPerStep, double? valLoss)
    {
        var left = s.TokensPerSecond > 0 ? TimeSpan.FromSeconds((iters - s.State.Step) * tokensPerStep / s.TokensPerSecond) : TimeSpan.Zero;
        var val = valLoss is { } v ? $"  val {v:F4}" : "";
        return $"step {s.State.Step,6}/{iters}  loss {s.Report.Loss:F4}{val}  lr {s.Report.LearningRate:0.00e+00}  {s.TokensPerSecond:N0} tok/s  eta {left:h\\:mm\\:ss}";
    }

    public static string EvalLine(EvalEvent v) =>
        $"eval  step {v.Step}: val loss {v.Result.Loss:F4}" + (v.Result.Accuracy is { } a ? $", held-out exact match {a:P1}" : "");

    public static JsonObject EvalJson(long step, Evaluation e) =>
        new JsonObject { ["event"] = "eval", ["step"] = step, ["val_loss"] = RunLog.Number(e.Loss) }.WithAccuracy(e.Accuracy);

    // The addition task's lines carry "accuracy"; a text run's have no such field.
    public static JsonObject WithAccuracy(this JsonObject line, double? accuracy)
    {
        if (accuracy is { } a) line["accuracy"] = RunLog.Number(a);
        return line;
    }

    public static void End(TextWriter output, EndEvent end, LanguageModelRun run)
    {
        if (end.Stopped)
        {
            output.WriteLine($"stopped at step {end.Steps}; checkpoint {end.Checkpoint} (continue with: fnets resume {run.Directory})");
            return;
        }
        var f = end.Final!;
        output.WriteLine($"done: {end.Steps:N0} steps, {end.TrainSeconds:F1} s training ({end.TokensPerSecond:N0} tokens/s); " +
                         $"train loss {end.TrainLoss:F4}, validation loss {f.Loss:F4}");
        if (f.Accuracy is { } accuracy)
        {
            output.WriteLine($"held-out exact match: {accuracy:P2} ({f.Answers.Count(a => a.Correct)} of {f.Answers.Length} problems never seen in training)");
            foreach (var a in f.Answers.Take(8))
                output.WriteLine($"  {a.Prompt} {(a.Predicted is { } p ? p.ToString() : "?")} {(a.Correct ? "✓" : $"✗ (expected {a.Expected})")}");
        }
        output.WriteLine($"checkpoint: {end.Checkpoint}");
        output.WriteLine($"next: fnets generate --checkpoint {run.Directory}");
    }

    private static string Describe(RunData data) => data switch
    {
        RunData.Text t => $"{t.Dataset.SourceName} ({t.Dataset.Train.Length:N0} training and {t.Dataset.Validation.Length:N0} validation tokens)",
        RunData.Addition a => $"the built-in addition task, {a.Task.Digits}-digit operands, {a.Task.HeldOut.Length} held-out problems",
        _ => data.ToString(),
    };
}
