using System.CommandLine;
using System.Text.Json.Nodes;
using FunctionalNets.Runs;
using FunctionalNets.Text;

namespace FunctionalNets.Cli;

/// <summary><c>fnets eval</c>: a checkpoint's validation loss on a text, measured as training measures it.</summary>
public static class EvalCommand
{
    private static readonly Option<string> CheckpointPath = new("--checkpoint") { Description = "A checkpoint file or a run directory", Required = true };
    private static readonly Option<string> Text = new("--text") { Description = "The text; its last 10 % is the validation split", Required = true };
    private static readonly Option<int?> Batches = new("--eval-batches") { Description = "Validation batches (default: the run's)" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON line" };

    /// <summary>The <c>eval</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("eval", "The validation loss of a checkpoint on a text (the last 10 %, fixed batches)") { CheckpointPath, Text, Batches, Json };
        command.SetAction(parse => Eval(io, parse));
        return command;
    }

    private static int Eval(Io io, ParseResult parse)
    {
        var loaded = LoadedCheckpoint.Load(parse.GetValue(CheckpointPath)!, io);
        var (spec, path) = (loaded.Spec, parse.GetValue(Text)!);
        var batches = parse.GetValue(Batches) ?? spec.EvalBatches;
        if (batches < 1) throw new UsageException($"--eval-batches must be at least 1, got {batches}");
        var data = (from source in TextSource.Read(Path.GetFullPath(path))
                    from tokenizer in TextTokenizers.Restore(spec.Tokenizer, spec.TokenizerState)
                    from set in TextDataset.Create(source, tokenizer, spec.Recipe.Batch, spec.Model.Context)
                    select new RunData.Text(set)).ThrowIfFail();
        var loss = data.Evaluate(loaded.Checkpoint.State.Params, spec.Model, batches).Loss;
        io.Out.WriteLine(parse.GetValue(Json)
            ? new JsonObject { ["event"] = "eval", ["checkpoint"] = loaded.Path, ["text"] = path, ["batches"] = batches, ["val_loss"] = RunLog.Number(loss) }.ToJsonString()
            : $"validation loss {loss:F4} over {batches} batches of {spec.Recipe.Batch} × {spec.Model.Context} tokens of {path} (checkpoint {loaded.Path})");
        return 0;
    }
}
