using System.Text.Json.Nodes;
using FunctionalNets.Models;
using FunctionalNets.Runs;
using FunctionalNets.Text;

namespace FunctionalNets.Tests.Runs;

/// <summary>Small language-model runs on the two-digit addition task, trained through the library into a folder.</summary>
internal static class TinyRun
{
    /// <summary>A width at which, with batches of 16, the products fork over two threads (the defaults run on one).</summary>
    public const int Wide = 64;

    public static RunSpec Spec(long iters, int checkpointEvery, double lr = 3e-3, int channels = 16)
    {
        var batch = channels >= Wide ? 16 : 4;
        var task = AdditionTask.Create(2, batch).ThrowIfFail();
        var model = new GptConfig(Vocab: AdditionTask.Tokenizer.VocabSize, Context: task.ContextLength, Channels: channels, Layers: 1, Heads: 2,
            TieWeights: true, Bias: false, NormBias: false, Activation: GptActivation.Gelu);
        var recipe = TrainingRecipe.Create(batch, iters, iters, lr, lr / 10, 2, 0.1, 1.0).Match(r => r, e => throw new ArgumentException(e.Head.Message));
        return new RunSpec(model, recipe, 5, AdditionTask.Tokenizer.Name, AdditionTask.Tokenizer.State, new RunData.Addition(task).Describe(),
            EvalEvery: 0, EvalBatches: 1, CheckpointEvery: checkpointEvery, Keep: 100, DigestEvery: 1);
    }

    /// <summary>Trains <paramref name="spec"/> into <paramref name="directory"/> to its end; returns the directory.</summary>
    public static string Train(string directory, RunSpec spec)
    {
        var run = LanguageModelRun.Create(directory, spec, RunData.Load(spec), force: false);
        foreach (var _ in run.Train(LanguageModelRun.Initial(spec))) { }
        return directory;
    }

    /// <summary>
    /// Replaces the digest of step <paramref name="step"/> in the run's log with zeros and re-chains every line, so the
    /// chain holds but the log no longer matches what the run computes; returns the forged digest.
    /// </summary>
    public static string ForgeDigest(string directory, long step)
    {
        var path = Path.Combine(directory, LanguageModelRun.LogName);
        var forged = new string('0', 64);
        var (chain, text) = ("", new List<string>());
        foreach (var line in RunLog.Read(path))
        {
            var fields = (JsonObject)line.Fields.DeepClone();
            foreach (var name in new[] { "event", "chain" }) fields.Remove(name);
            if (line.Event == "step" && fields["step"]!.GetValue<long>() == step) fields["digest"] = forged;
            (var formatted, chain) = RunLog.Format(chain, line.Event, fields);
            text.Add(formatted);
        }
        File.WriteAllLines(path, text);
        return forged;
    }
}
