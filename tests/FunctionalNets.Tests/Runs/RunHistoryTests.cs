using System.Text.Json.Nodes;
using FunctionalNets.Runs;

namespace FunctionalNets.Tests.Runs;

public sealed class RunHistoryTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("fnets-history-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void The_history_holds_the_step_and_eval_lines_in_order_with_unlogged_numbers_as_nan()
    {
        using (var log = RunLogWriter.Create(Path.Combine(dir, LanguageModelRun.LogName), new JsonObject { ["format"] = RunLog.FormatVersion }))
        {
            log.Write("step", new JsonObject { ["step"] = 1, ["loss"] = 2.5, ["lr"] = 0.1 });
            log.Write("step", new JsonObject { ["step"] = 2, ["loss"] = RunLog.Number(double.PositiveInfinity), ["lr"] = 0.2 });
            log.Write("eval", new JsonObject { ["step"] = 2, ["val_loss"] = 2.25 });
            log.Write("checkpoint", new JsonObject { ["step"] = 2 });
            log.Write("step", new JsonObject { ["step"] = 3, ["loss"] = 2.0, ["lr"] = 0.3 });
        }
        var h = RunHistory.Read(dir);
        Assert.Equal<long>([1, 2, 3], h.Steps);
        Assert.Equal<double>([2.5, double.NaN, 2.0], h.Loss);
        Assert.Equal<double>([0.1, 0.2, 0.3], h.LearningRate);
        Assert.Equal<long>([2], h.EvalSteps);
        Assert.Equal<double>([2.25], h.ValidationLoss);
    }
}
