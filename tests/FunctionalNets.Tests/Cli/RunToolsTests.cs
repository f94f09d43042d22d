using FunctionalNets.Runs;
using FunctionalNets.Tests.Kernels;

namespace FunctionalNets.Tests.Cli;

[Collection(ExclusivePool.Name)]
public sealed class RunToolsTests : IDisposable
{
    private readonly Fnets fnets = new();

    public void Dispose() => fnets.Dispose();

    [Fact]
    public void Replay_verifies_a_run_and_a_tampered_log_fails_naming_the_line()
    {
        Assert.Equal(0, fnets.TrainTiny("run", "--iters", "10", "--checkpoint-every", "5").Code);
        var replay = Fnets.Run("replay", fnets.PathOf("run"), "--threads", "1");
        Assert.True(replay.Code == 0, replay.Error);
        Assert.Equal("verified 10 steps (0 → 10)", replay.LastLine);
        Assert.Equal("verified 4 steps (5 → 9)", Fnets.Run("replay", fnets.PathOf("run"), "--from", "6", "--to", "9").LastLine);
        Assert.Equal(2, Fnets.Run("replay", fnets.PathOf("run"), "--from", "6", "--to", "3").Code);
        var log = Path.Combine(fnets.PathOf("run"), LanguageModelRun.LogName);
        var lines = File.ReadAllLines(log);
        lines[5] = lines[5].Replace("\"non_finite\":0", "\"non_finite\":1");
        File.WriteAllLines(log, lines);
        var tampered = Fnets.Run("replay", fnets.PathOf("run"));
        Assert.Equal(1, tampered.Code);
        Assert.Equal($"fnets: {log}: line 6 breaks the chain (edited, deleted, reordered or truncated)", tampered.Error.TrimEnd());
    }

    [Fact]
    public void Diff_of_two_runs_names_the_config_field_and_the_first_step_and_exits_1()
    {
        Assert.Equal(0, fnets.TrainTiny("a", "--iters", "4").Code);
        Assert.Equal(0, fnets.TrainTiny("b", "--iters", "4", "--seed", "7").Code);
        var diff = Fnets.Run("diff", fnets.PathOf("a"), fnets.PathOf("b"));
        Assert.Equal(1, diff.Code);
        Assert.Contains("  seed: 1337 → 7", diff.Out);
        Assert.Contains("digests: first differ at step 1", diff.Out);
        var withParams = Fnets.Run("diff", fnets.PathOf("a"), fnets.PathOf("b"), "--params");
        Assert.Contains("parameters after step 1: ", withParams.Out);
        Assert.Contains("  wte: max abs ", withParams.Out);
        var same = Fnets.Run("diff", fnets.PathOf("a"), fnets.PathOf("a"));
        Assert.True(same.Code == 0, same.Out);
        Assert.Equal(2, Fnets.Run("diff", fnets.PathOf("a"), Path.Combine(fnets.PathOf("a"), LanguageModelRun.LogName)).Code);
    }

    [Fact]
    public void Trace_writes_every_op_of_a_step_and_diff_of_a_trace_with_itself_is_the_same_bits()
    {
        Assert.Equal(0, fnets.TrainTiny("run", "--iters", "4").Code);
        var file = fnets.PathOf("step3.trace");
        var trace = Fnets.Run("trace", fnets.PathOf("run"), "--step", "3", "--out", file);
        Assert.True(trace.Code == 0, trace.Error);
        var written = OpTrace.Read(file);
        Assert.Equal($"wrote {written.Ops.Length} results of step 3 ({written.Ops.Count(o => o.Pass == FunctionalNets.Autodiff.OpPass.Forward)} forward, " +
                     $"{written.Ops.Count(o => o.Pass == FunctionalNets.Autodiff.OpPass.Backward)} backward) to {file}", trace.LastLine);
        // The table: a header line and one line per op.
        Assert.Equal(written.Ops.Length + 2, trace.Out.TrimEnd().Split('\n').Length);
        var same = Fnets.Run("diff", file, file);
        Assert.Equal((0, $"the same bits for all {written.Ops.Length} ops"), (same.Code, same.LastLine));
        Assert.Equal(2, Fnets.Run("trace", fnets.PathOf("run"), "--step", "0", "--out", file).Code);
    }

    [Fact]
    public void A_learning_rate_that_overflows_stops_training_naming_the_step_and_the_op()
    {
        var r = fnets.TrainTiny("overflow", "--iters", "5", "--lr", "1e38");
        Assert.Equal(1, r.Code);
        // Step 0 moves the weights by about the learning rate; step 1's first layer norm squares them past float's range.
        Assert.StartsWith("fnets: step 1: blocks/0/ln1: LayerNorm produced NaN in the forward pass (its inputs: finite, in [", r.Error);
        Assert.Contains("the loss (NaN) is not finite", r.Error);
    }
}
