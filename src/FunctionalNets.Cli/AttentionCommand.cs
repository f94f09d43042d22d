using System.CommandLine;
using FunctionalNets.Models;
using FunctionalNets.Plots;
using FunctionalNets.Text;

namespace FunctionalNets.Cli;

/// <summary><c>fnets attention --checkpoint PATH --prompt TEXT --out FILE.png</c>: every block's and head's attention over a prompt.</summary>
public static class AttentionCommand
{
    private static readonly Option<string> CheckpointPath = new("--checkpoint") { Description = "A checkpoint file or a run directory", Required = true };
    private static readonly Option<string> Prompt = new("--prompt") { Description = "The text whose attention to draw (at most the context length in tokens)", Required = true };
    private static readonly Option<string> Out = new("--out") { Description = "The PNG file to write", Required = true };

    /// <summary>The <c>attention</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("attention", "Draw a grid of attention heatmaps, one per block and head, with the prompt's tokens on both axes")
        {
            CheckpointPath, Prompt, Out,
        };
        command.SetAction(parse => Draw(io, parse));
        return command;
    }

    private static int Draw(Io io, ParseResult parse)
    {
        var loaded = LoadedCheckpoint.Load(parse.GetValue(CheckpointPath)!, io);
        var cfg = loaded.Spec.Model;
        var tokenizer = TextTokenizers.Restore(loaded.Spec.Tokenizer, loaded.Spec.TokenizerState).ThrowIfFail();
        var ids = tokenizer.Encode(parse.GetValue(Prompt)!);
        if (ids.Length == 0 || ids.Length > cfg.Context)
            throw new UsageException($"--prompt must be 1 to {cfg.Context} tokens (the model's context), got {ids.Length}");
        var weights = KvCache.AttentionWeights(loaded.Checkpoint.State.Params, cfg, ids);
        var path = parse.GetValue(Out)!;
        AttentionPlot.Write(path, weights, [.. ids.Select(id => tokenizer.Decode([id]))]);
        io.Out.WriteLine($"wrote {path}: {cfg.Layers} × {cfg.Heads} heatmaps (blocks × heads) over {ids.Length} tokens");
        return 0;
    }
}
