using System.Diagnostics;
using System.Text.Json.Nodes;
using FunctionalNets.IO;
using FunctionalNets.Randomness;
using Xunit.Abstractions;

namespace FunctionalNets.Tests.Cli;

/// <summary>
/// <c>fnets train … --checkpoint-every 1</c> as a child process, killed with SIGKILL at moments drawn from a key: after
/// every kill the newest checkpoint exists and <c>fnets inspect</c> accepts it, every file named like a checkpoint
/// reads back valid (a half-written one never is), and <c>fnets resume</c> continues from the newest to the bits
/// of an uninterrupted run.
/// </summary>
/// <remarks>
/// <c>FNETS_CRASH_COUNT</c> sets the number of kills (5 by default, for CI). The moment of a kill is a step s in
/// 1 … 12 of 20, once its checkpoint has been reported, plus a delay of 0 … 49 ms: it lands in later steps, in the
/// middle of checkpoint writes (their temporaries are left behind) and in the log's appends; a child that got to
/// the end first (its output reaches the test late) is checked for its checkpoints only.
/// </remarks>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Iters = 20;

    private static readonly string[] Recipe = ["--preset", "tiny", "--iters", "20", "--threads", "1", "--json"];

    private readonly Fnets fnets = new();

    public void Dispose() => fnets.Dispose();

    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("FNETS_CRASH_COUNT"), out var n) && n > 0 ? n : 5;

    [Fact]
    public void Killed_training_leaves_a_valid_newest_checkpoint_that_resumes_to_the_bits_of_a_straight_run()
    {
        var straight = Fnets.Run(["train", "--out", fnets.PathOf("straight"), .. Recipe]);
        Assert.True(straight.Code == 0, straight.Error);
        var expected = fnets.FinalDigest("straight");
        var key = Key.FromSeed(20_261_201);
        var (resumes, midWrite) = (0, 0);
        for (var run = 0; run < Count; run++)
        {
            var draw = key.FoldIn((uint)run);
            var step = 1 + Sample.Integers(draw.FoldIn("step"), [1], 12).ToScalar();
            var delay = Sample.Integers(draw.FoldIn("delay"), [1], 50).ToScalar();
            var dir = fnets.PathOf($"killed-{run}");
            KillAfter(dir, step, delay);
            var where = $"run {run} (killed {delay} ms after the checkpoint of step {step})";

            // Every file named like a checkpoint is complete; temporaries of an interrupted write are not listed.
            var folder = CheckpointDirectory.OfRun(dir);
            if (Directory.EnumerateFiles(folder.Path, ".*.tmp-*").Any()) midWrite++;
            var files = folder.List();
            Assert.False(files.IsEmpty, $"{where}: no checkpoint");
            foreach (var file in files)
                Assert.Equal(file.Step, Checkpoint.Read<float>(file.Path).State.Step);
            var newest = files[^1];
            var inspect = Fnets.Run("inspect", newest.Path);
            Assert.True(inspect.Code == 0, $"{where}: inspect: {inspect.Error}");
            if (newest.Step == Iters) continue; // the run finished before the kill: nothing to resume

            var resumed = Fnets.Run("resume", dir, "--threads", "1", "--json");
            Assert.True(resumed.Code == 0, $"{where}: resume: {resumed.Error}");
            Assert.Equal(newest.Step, JsonNode.Parse(resumed.Out.Split('\n')[0])!["from_step"]!.GetValue<long>());
            Assert.True(expected == fnets.FinalDigest($"killed-{run}"), $"{where}: resumed from step {newest.Step} to other bits than a straight run");
            resumes++;
        }
        output.WriteLine($"{Count} kills: {midWrite} in the middle of a checkpoint write (a temporary left behind), {resumes} resumed to the straight run's digest, {Count - resumes} finished before the kill");
    }

    // Starts the training, waits until it reports the checkpoint of `step`, waits `delay` ms more, then SIGKILLs it.
    private static void KillAfter(string dir, int step, int delay)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "fnets.dll"), "train", "--out", dir, "--checkpoint-every", "1", "--log-every", "1", .. Recipe])
            start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        child.ErrorDataReceived += (_, _) => { };
        child.BeginErrorReadLine();
        while (child.StandardOutput.ReadLine() is { } line)
        {
            var e = JsonNode.Parse(line)!.AsObject();
            if (e["event"]!.GetValue<string>() == "checkpoint" && e["step"]!.GetValue<long>() >= step) break;
        }
        Thread.Sleep(delay);
        child.Kill(); // SIGKILL on Unix: no handler, no flush, no cleanup
        child.WaitForExit();
    }
}
