using System.Text.Json.Nodes;
using FunctionalNets.Runs;
using FunctionalNets.Tests.Kernels;

namespace FunctionalNets.Tests.Cli;

[Collection(ExclusivePool.Name)]
public sealed class TrainCommandTests : IDisposable
{
    private readonly Fnets fnets = new();

    public void Dispose() => fnets.Dispose();

    [Fact]
    public void Train_on_the_addition_task_writes_a_chained_log_checkpoints_and_a_done_line_with_the_accuracy()
    {
        var r = fnets.TrainTiny("add", "--iters", "60", "--checkpoint-every", "20", "--keep", "2");
        Assert.True(r.Code == 0, r.Error);
        var done = JsonNode.Parse(r.LastLine)!.AsObject();
        Assert.Equal("done", done["event"]!.GetValue<string>());
        Assert.Equal(60, done["steps"]!.GetValue<long>());
        Assert.InRange(done["accuracy"]!.GetValue<double>(), 0, 1);
        Assert.True(done["tokens_per_s"]!.GetValue<double>() > 0);
        var lines = RunLog.Read(Path.Combine(fnets.PathOf("add"), LanguageModelRun.LogName));
        Assert.Equal("header", lines[0].Event);
        Assert.Equal(60, lines.Count(l => l.Event == "step"));
        Assert.Equal([20L, 40, 60], lines.Where(l => l.Event == "checkpoint").Select(l => l.Fields["step"]!.GetValue<long>()));
        Assert.Equal("end", lines[^1].Event);
        Assert.Equal(done["digest"]!.GetValue<string>(), lines[^1].Fields["digest"]!.GetValue<string>());
        // --keep 2: only the newest two checkpoints remain.
        var files = Directory.GetFiles(Path.Combine(fnets.PathOf("add"), "checkpoints")).Select(Path.GetFileName).Order();
        Assert.Equal(["step-0000040.safetensors", "step-0000060.safetensors"], files);
    }

    [Fact]
    public void Stopping_and_resuming_gives_the_bits_of_an_uninterrupted_run()
    {
        Assert.Equal(0, fnets.TrainTiny("straight", "--iters", "200").Code);
        // The same recipe (the cosine ends at step 200) stopped at step 100, then resumed to 200.
        Assert.Equal(0, fnets.TrainTiny("halves", "--iters", "100", "--decay-steps", "200").Code);
        var resumed = Fnets.Run("resume", fnets.PathOf("halves"), "--iters", "200", "--json");
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal(fnets.FinalDigest("straight"), fnets.FinalDigest("halves"));
        Assert.Equal(JsonNode.Parse(resumed.LastLine)!["digest"]!.GetValue<string>(), fnets.FinalDigest("straight"));
    }

    [Fact]
    public void A_run_whose_log_was_cut_mid_line_resumes_to_the_bits_of_an_uninterrupted_run()
    {
        Assert.Equal(0, fnets.TrainTiny("straight", "--iters", "40").Code);
        Assert.Equal(0, fnets.TrainTiny("cut", "--iters", "20", "--decay-steps", "40").Code);
        // As if a crash (or a full disk) had cut the run off while it appended a line after its last checkpoint.
        var log = Path.Combine(fnets.PathOf("cut"), LanguageModelRun.LogName);
        var last = File.ReadAllLines(log)[^1];
        File.AppendAllText(log, last[..(last.Length / 3)]);
        var resumed = Fnets.Run("resume", fnets.PathOf("cut"), "--iters", "40", "--json");
        Assert.True(resumed.Code == 0, resumed.Error);
        Assert.Equal(fnets.FinalDigest("straight"), fnets.FinalDigest("cut"));
    }

    [Fact]
    public void One_and_two_threads_train_to_the_same_bits()
    {
        // Wide enough that the products fork: the scope proves a worker took part in the two-thread run.
        string[] shape = ["--iters", "30", "--width", "64", "--batch", "16", "--digits", "3"];
        Assert.Equal(0, fnets.TrainTiny("one", [.. shape, "--threads", "1"]).Code);
        OnThreads.Run(2, () => Assert.Equal(0, fnets.TrainTiny("two", [.. shape, "--threads", "2"]).Code));
        Assert.Equal(fnets.FinalDigest("one"), fnets.FinalDigest("two"));
    }

    [Fact]
    public void A_stop_request_finishes_the_step_writes_a_checkpoint_and_exits_130_and_resume_finishes_the_run()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var r = Fnets.Run(stop.Token, "train", "--preset", "tiny", "--out", fnets.PathOf("stopped"), "--iters", "40", "--json");
        Assert.Equal(130, r.Code);
        Assert.True(JsonNode.Parse(r.LastLine)!["stopped"]!.GetValue<bool>());
        Assert.True(File.Exists(Path.Combine(fnets.PathOf("stopped"), "checkpoints", "step-0000001.safetensors")));
        Assert.Equal(0, Fnets.Run("resume", fnets.PathOf("stopped"), "--json").Code);
        Assert.Equal(0, fnets.TrainTiny("whole", "--iters", "40").Code);
        Assert.Equal(fnets.FinalDigest("whole"), fnets.FinalDigest("stopped"));
    }

    [Fact]
    public void Train_on_a_text_file_evaluates_on_its_last_tenth_and_eval_reproduces_the_final_loss()
    {
        var text = fnets.WriteText("verse.txt");
        var r = Fnets.Run("train", "--text", text, "--preset", "tiny", "--context", "16", "--iters", "30", "--out", fnets.PathOf("verse"), "--json");
        Assert.True(r.Code == 0, r.Error);
        var done = JsonNode.Parse(r.LastLine)!.AsObject();
        Assert.Null(done["accuracy"]);
        var eval = Fnets.Run("eval", "--checkpoint", fnets.PathOf("verse"), "--text", text, "--json");
        Assert.True(eval.Code == 0, eval.Error);
        Assert.Equal(done["val_loss"]!.GetValue<double>(), JsonNode.Parse(eval.LastLine)!["val_loss"]!.GetValue<double>());
    }

    [Fact]
    public void A_non_empty_out_directory_is_refused_without_force()
    {
        Assert.Equal(0, fnets.TrainTiny("again", "--iters", "5").Code);
        var refused = fnets.TrainTiny("again", "--iters", "5");
        Assert.Equal(1, refused.Code);
        Assert.Contains("--force", refused.Error);
        Assert.Equal(0, fnets.TrainTiny("again", "--iters", "5", "--force").Code);
    }
}
