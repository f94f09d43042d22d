using System.CommandLine;
using System.Text.Json.Nodes;
using FunctionalNets.Models;
using FunctionalNets.Randomness;
using FunctionalNets.Text;

namespace FunctionalNets.Cli;

/// <summary><c>fnets generate</c>: stream tokens from a checkpoint, deterministic for a seed.</summary>
public static class GenerateCommand
{
    private static readonly Option<string> CheckpointPath = new("--checkpoint") { Description = "A checkpoint file or a run directory", Required = true };
    private static readonly Option<string?> Prompt = new("--prompt") { Description = "The text to continue (default: a new line)" };
    private static readonly Option<int> Tokens = new("--tokens") { Description = "How many tokens to generate", DefaultValueFactory = _ => 200 };
    private static readonly Option<double> Temperature = new("--temperature") { Description = "Sampling temperature; 0 decodes greedily", DefaultValueFactory = _ => 0.8 };
    private static readonly Option<int> TopK = new("--top-k") { Description = "Sample from the K most likely tokens (0 = all)", DefaultValueFactory = _ => 0 };
    private static readonly Option<double> TopP = new("--top-p") { Description = "Sample from the smallest set of tokens whose probability reaches P", DefaultValueFactory = _ => 1 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "The sampling seed", DefaultValueFactory = _ => 0 };
    private static readonly Option<bool> Json = new("--json") { Description = "JSON lines: one per token, then {\"event\":\"done\"}" };

    /// <summary>The <c>generate</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("generate", "Generate text from a checkpoint (key/value cache; past the context the window slides)")
        {
            CheckpointPath, Prompt, Tokens, Temperature, TopK, TopP, Seed, Json,
        };
        command.SetAction(parse => Generate(io, parse));
        return command;
    }

    private static int Generate(Io io, ParseResult parse)
    {
        var tokens = parse.GetValue(Tokens);
        if (tokens < 0) throw new UsageException($"--tokens must be ≥ 0, got {tokens}");
        var sampling = SamplingOptions.Create(parse.GetValue(Temperature), parse.GetValue(TopK), parse.GetValue(TopP)).OrUsage();
        var loaded = LoadedCheckpoint.Load(parse.GetValue(CheckpointPath)!, io);
        var tokenizer = TextTokenizers.Restore(loaded.Spec.Tokenizer, loaded.Spec.TokenizerState).ThrowIfFail();
        var prompt = tokenizer.Encode(parse.GetValue(Prompt) ?? DefaultPrompt(tokenizer));
        var json = parse.GetValue(Json);
        var (ids, printed) = (new List<int>(), 0);
        foreach (var id in Generation.Generate(loaded.Checkpoint.State.Params, loaded.Spec.Model, prompt, tokens, sampling, Key.FromSeed(parse.GetValue(Seed))))
        {
            ids.Add(id);
            // Decode the whole continuation and print what is new: a multi-token character comes out whole.
            var text = tokenizer.Decode(ids.ToArray());
            var piece = text[Math.Min(printed, text.Length)..];
            printed = text.Length;
            if (json) io.Out.WriteLine(new JsonObject { ["event"] = "token", ["id"] = id, ["text"] = piece }.ToJsonString());
            else io.Out.Write(piece);
            if (io.Stop.IsCancellationRequested) break;
        }
        if (json) io.Out.WriteLine(new JsonObject { ["event"] = "done", ["tokens"] = ids.Count, ["text"] = tokenizer.Decode(ids.ToArray()) }.ToJsonString());
        else io.Out.WriteLine();
        return 0;
    }

    // A new line when the vocabulary has one (a text model), else its first token.
    private static string DefaultPrompt(ITextTokenizer tokenizer) =>
        tokenizer is CharTokenizer chars && !chars.Tokens.Contains("\n") ? chars.Tokens[0] : "\n";
}
