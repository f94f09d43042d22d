using System.Security.Cryptography;
using FunctionalNets.Runs;
using FunctionalNets.Tests.Kernels;

namespace FunctionalNets.Tests.Runs;

[Collection(ExclusivePool.Name)]
public sealed class ReplayTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("fnets-replay-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Run(string name, long iters = 12, int checkpointEvery = 4, int channels = 16) =>
        TinyRun.Train(Path.Combine(root, name), TinyRun.Spec(iters, checkpointEvery, channels: channels));

    private static string LogOf(string dir) => Path.Combine(dir, LanguageModelRun.LogName);

    [Fact]
    public void Replay_recomputes_and_verifies_every_logged_digest()
    {
        var dir = Run("run");
        var result = Replay.Verify(dir);
        Assert.True(result.Verified);
        Assert.Equal((0L, 12L, 12, (string?)null), (result.From, result.To, result.Digests, result.Checkpoint));
        Assert.Equal("verified 12 steps (0 → 12)", result.ToString());
    }

    [Fact]
    public void Replay_from_a_step_starts_at_the_newest_checkpoint_at_or_before_it_on_any_thread_count()
    {
        var dir = Run("run", channels: TinyRun.Wide);
        var one = OnThreads.Run(1, () => Replay.Verify(dir, from: 7, to: 10));
        var two = OnThreads.Run(2, () => Replay.Verify(dir, from: 7, to: 10));
        foreach (var result in new[] { one, two })
        {
            Assert.True(result.Verified);
            Assert.Equal((4L, 10L, 6), (result.From, result.To, result.Digests));
            Assert.EndsWith("step-0000004.safetensors", result.Checkpoint);
        }
    }

    [Fact]
    public void Replay_names_the_first_step_whose_digest_differs_from_a_log_with_a_valid_chain()
    {
        var dir = Run("run");
        var lines = RunLog.Read(LogOf(dir));
        var forged = TinyRun.ForgeDigest(dir, 7);
        var result = Replay.Verify(dir);
        Assert.False(result.Verified);
        Assert.Equal((7L, forged, "the replay"), (result.Mismatch!.Step, result.Mismatch.Logged, result.Mismatch.Source));
        Assert.Equal(lines.Single(l => l.Event == "step" && l.Fields["step"]!.GetValue<long>() == 7).Fields["digest"]!.GetValue<string>(),
            result.Mismatch.Recomputed);
        Assert.StartsWith("step 7: the replay gives digest ", result.ToString());
    }

    [Fact]
    public void A_tampered_log_is_refused_naming_the_line()
    {
        var dir = Run("run", iters: 4);
        var lines = File.ReadAllLines(LogOf(dir));
        lines[3] = lines[3].Replace("\"step\":3", "\"step\":30");
        File.WriteAllLines(LogOf(dir), lines);
        var e = Assert.Throws<RunLogException>(() => Replay.Verify(dir));
        Assert.Contains("line 4 breaks the chain", e.Message);
    }

    [Fact]
    public void Steps_outside_the_log_are_refused()
    {
        var dir = Run("run", iters: 4);
        var e = Assert.Throws<ArgumentException>(() => Replay.Verify(dir, from: 0, to: 9));
        Assert.Contains("the log has steps 0 → 4", e.Message);
    }

    [Fact]
    public void Replay_writes_nothing_into_the_run_directory()
    {
        var dir = Run("run", iters: 8);
        var before = Snapshot(dir);
        Assert.True(Replay.Verify(dir, from: 5).Verified);
        Assert.Equal(before, Snapshot(dir));
    }

    // Every file's relative path, size, modification time and SHA-256.
    private static List<string> Snapshot(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f =>
            File.Exists(f)
                ? $"{Path.GetRelativePath(dir, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f).Ticks} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"
                : Path.GetRelativePath(dir, f))];
}
