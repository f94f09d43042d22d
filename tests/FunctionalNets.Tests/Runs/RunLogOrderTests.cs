using FunctionalNets.Runs;
using FunctionalNets.Tests.Kernels;

namespace FunctionalNets.Tests.Runs;

/// <summary>The log of a run lists its steps in order, each with its digest, and every other line after its step's.</summary>
[Collection(ExclusivePool.Name)]
public sealed class RunLogOrderTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("fnets-log-order-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Step_lines_come_in_order_with_digests_and_evaluations_and_checkpoints_follow_their_step()
    {
        var spec = TinyRun.Spec(iters: 13, checkpointEvery: 4) with { EvalEvery = 3 };
        var dir = TinyRun.Train(Path.Combine(root, "run"), spec);
        var lines = RunLog.Read(Path.Combine(dir, LanguageModelRun.LogName)).Where(l => l.Event is "step" or "eval" or "checkpoint").ToList();
        var steps = lines.Where(l => l.Event == "step").Select(l => l.Fields["step"]!.GetValue<long>()).ToList();
        Assert.Equal(Enumerable.Range(1, 13).Select(i => (long)i), steps);
        Assert.All(lines.Where(l => l.Event == "step"), l => Assert.Matches("^[0-9a-f]{64}$", l.Fields["digest"]!.GetValue<string>()));
        long lastStep = 0;
        foreach (var line in lines)
        {
            var step = line.Fields["step"]!.GetValue<long>();
            if (line.Event == "step")
                lastStep = step;
            else
                Assert.Equal(lastStep, step); // an evaluation or checkpoint of step s comes after step s's line, before s + 1's
        }
        Assert.Equal([3L, 6, 9, 12, 13], lines.Where(l => l.Event == "eval").Select(l => l.Fields["step"]!.GetValue<long>()));
        Assert.Equal([4L, 8, 12, 13], lines.Where(l => l.Event == "checkpoint").Select(l => l.Fields["step"]!.GetValue<long>()));
    }
}
