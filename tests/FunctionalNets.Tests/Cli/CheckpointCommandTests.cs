using System.Text.Json.Nodes;

namespace FunctionalNets.Tests.Cli;

/// <summary>The verbs that read a trained run: generate, inspect, eval.</summary>
public sealed class CheckpointCommandTests : IDisposable
{
    private readonly Fnets fnets = new();
    private readonly string text;

    public CheckpointCommandTests()
    {
        text = fnets.WriteText("verse.txt");
        var r = Fnets.Run("train", "--text", text, "--preset", "tiny", "--context", "16", "--iters", "40", "--checkpoint-every", "20", "--out", fnets.PathOf("run"), "--json");
        Assert.True(r.Code == 0, r.Error);
    }

    public void Dispose() => fnets.Dispose();

    private static string Generated(FnetsResult r) => JsonNode.Parse(r.LastLine)!["text"]!.GetValue<string>();

    [Fact]
    public void Generate_is_deterministic_for_a_seed_and_streams_one_line_per_token()
    {
        string[] args = ["generate", "--checkpoint", fnets.PathOf("run"), "--prompt", "the ", "--tokens", "30", "--json"];
        var (a, b) = (Fnets.Run([.. args, "--seed", "5"]), Fnets.Run([.. args, "--seed", "5"]));
        Assert.True(a.Code == 0, a.Error);
        Assert.Equal(Generated(a), Generated(b));
        var lines = a.Out.TrimEnd().Split('\n');
        Assert.Equal(31, lines.Length);
        Assert.Equal(Generated(a), string.Concat(lines[..^1].Select(l => JsonNode.Parse(l)!["text"]!.GetValue<string>())));
        Assert.All(Generated(a), c => Assert.Contains(c, File.ReadAllText(text)));
    }

    [Fact]
    public void Temperature_zero_is_greedy_whatever_the_seed()
    {
        string[] args = ["generate", "--checkpoint", fnets.PathOf("run"), "--prompt", "so it", "--tokens", "20", "--temperature", "0", "--json"];
        Assert.Equal(Generated(Fnets.Run([.. args, "--seed", "1"])), Generated(Fnets.Run([.. args, "--seed", "2"])));
        Assert.Equal(Generated(Fnets.Run([.. args, "--top-k", "1"])), Generated(Fnets.Run([.. args])));
    }

    [Fact]
    public void A_prompt_with_characters_outside_the_vocabulary_lists_them()
    {
        var r = Fnets.Run("generate", "--checkpoint", fnets.PathOf("run"), "--prompt", "QZ", "--tokens", "5");
        Assert.Equal(1, r.Code);
        Assert.Contains("'Q'", r.Error);
        Assert.Contains("'Z'", r.Error);
    }

    [Fact]
    public void Inspect_prints_step_config_tokenizer_and_every_tensor()
    {
        var file = Path.Combine(fnets.PathOf("run"), "checkpoints", "step-0000040.safetensors");
        var r = Fnets.Run("inspect", file);
        Assert.True(r.Code == 0, r.Error);
        Assert.Contains("step       40", r.Out);
        Assert.Contains("\"channels\":32", r.Out);
        Assert.Contains("tokenizer  char", r.Out);
        foreach (var path in new[] { "wte", "wpe", "blocks/0/attn/wq/w", "ln_f/g", "opt/" })
            Assert.Contains(path, r.Out);
    }

    [Fact]
    public void Inspect_of_a_damaged_file_is_one_line_and_exit_1()
    {
        var file = Path.Combine(fnets.PathOf("run"), "checkpoints", "step-0000040.safetensors");
        var bytes = File.ReadAllBytes(file);
        bytes[^3] ^= 0x10;
        var damaged = fnets.PathOf("damaged.safetensors");
        File.WriteAllBytes(damaged, bytes);
        var r = Fnets.Run("inspect", damaged);
        Assert.Equal(1, r.Code);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.Contains("damaged.safetensors", r.Error);
    }

    [Fact]
    public void Resume_skips_a_damaged_newest_checkpoint_with_a_warning()
    {
        var newest = Path.Combine(fnets.PathOf("run"), "checkpoints", "step-0000040.safetensors");
        File.WriteAllBytes(newest, File.ReadAllBytes(newest)[..100]);
        var r = Fnets.Run("resume", fnets.PathOf("run"), "--iters", "50", "--json");
        Assert.True(r.Code == 0, r.Error);
        Assert.Contains("warning: skipping a damaged checkpoint", r.Error);
        Assert.Contains("\"from_step\":20", r.Out);
    }
}
