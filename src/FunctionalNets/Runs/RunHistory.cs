using System.Collections.Immutable;

namespace FunctionalNets.Runs;

/// <summary>A run's curves as its log recorded them: training loss and learning rate per step, validation loss per evaluation.</summary>
/// <param name="Steps">The step of each step line (steps done, from 1).</param>
/// <param name="Loss">The training loss of each step (NaN where it was not finite).</param>
/// <param name="LearningRate">The learning rate of each step.</param>
/// <param name="EvalSteps">The step of each evaluation.</param>
/// <param name="ValidationLoss">The validation loss of each evaluation.</param>
public sealed record RunHistory(ImmutableArray<long> Steps, ImmutableArray<double> Loss, ImmutableArray<double> LearningRate,
    ImmutableArray<long> EvalSteps, ImmutableArray<double> ValidationLoss)
{
    /// <summary>The curves of the run log in <paramref name="directory"/> (its chain verified).</summary>
    public static RunHistory Read(string directory) => Of(RunLog.Read(Path.Combine(directory, LanguageModelRun.LogName)));

    /// <summary>The curves of a run log's lines: its step and eval lines, in order.</summary>
    public static RunHistory Of(IEnumerable<RunLogLine> lines)
    {
        var list = lines.ToList();
        var steps = list.Where(l => l.Event == "step").ToList();
        var evals = list.Where(l => l.Event == "eval").ToList();
        double Number(RunLogLine l, string name) => l.Fields[name]?.GetValue<double>() ?? double.NaN;
        long Step(RunLogLine l) => l.Fields["step"]!.GetValue<long>();
        return new([.. steps.Select(Step)], [.. steps.Select(l => Number(l, "loss"))], [.. steps.Select(l => Number(l, "lr"))],
            [.. evals.Select(Step)], [.. evals.Select(l => Number(l, "val_loss"))]);
    }
}
