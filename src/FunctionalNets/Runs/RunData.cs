using System.Collections.Immutable;
using System.Text.Json.Nodes;
using FunctionalNets.Autodiff;
using FunctionalNets.Models;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Text;
using LanguageExt;
using LanguageExt.Common;

namespace FunctionalNets.Runs;

/// <summary>One held-out addition problem as the model answered it.</summary>
/// <param name="Prompt">The problem, e.g. <c>012+345=</c>.</param>
/// <param name="Expected">The true sum.</param>
/// <param name="Predicted">The model's answer read back as a number, or null when it wrote something that is not one.</param>
public sealed record AdditionAnswer(string Prompt, long Expected, long? Predicted)
{
    /// <summary>Whether the model's answer is the sum.</summary>
    public bool Correct => Predicted == Expected;
}

/// <summary>What an evaluation measured.</summary>
/// <param name="Loss">The mean validation loss.</param>
/// <param name="Accuracy">The held-out exact-match accuracy (the addition task only).</param>
/// <param name="Answers">Held-out problems with the model's answers (the addition task only).</param>
public sealed record Evaluation(double Loss, double? Accuracy, ImmutableArray<AdditionAnswer> Answers);

/// <summary>What a run trains on: a text file, or the built-in addition task.</summary>
public abstract record RunData
{
    /// <summary>The training batches, a pure function of (key, step).</summary>
    public abstract ITokenBatches Batches { get; }

    /// <summary>The data's description for the run log and checkpoints: enough to load it again on resume.</summary>
    public abstract JsonObject Describe();

    /// <summary>
    /// The validation loss (and, for the addition task, the held-out accuracy) of <paramref name="parameters"/>; its
    /// forward passes are built in <paramref name="buffers"/> when given (a run passes its training steps' own).
    /// </summary>
    public abstract Evaluation Evaluate(Params<float> parameters, GptConfig cfg, int evalBatches, StepBuffers? buffers = null);

    /// <summary>
    /// The data <paramref name="spec"/> describes, loaded again (for a resume): the text file, which must still have
    /// the SHA-256 the run recorded, with the run's tokenizer; or the addition task of the recorded width.
    /// </summary>
    public static RunData Load(RunSpec spec)
    {
        var kind = spec.Data["kind"]?.GetValue<string>();
        if (kind == "addition")
            return new Addition(AdditionTask.Create(spec.Data["digits"]!.GetValue<int>(), spec.Recipe.Batch).ThrowIfFail());
        if (kind != "text") throw new RunLogException($"the run's data is of an unknown kind '{kind}'");
        var (path, sha) = (spec.Data["source"]!.GetValue<string>(), spec.Data["sha256"]!.GetValue<string>());
        return (from source in TextSource.Read(path)
                from _ in source.Sha256 == sha ? Fin<Unit>.Succ(default) : Fin<Unit>.Fail(Error.New($"{path}: the text changed since the run started (SHA-256 {source.Sha256}, the run recorded {sha})"))
                from tokenizer in TextTokenizers.Restore(spec.Tokenizer, spec.TokenizerState)
                from set in TextDataset.Create(source, tokenizer, spec.Recipe.Batch, spec.Model.Context)
                select (RunData)new Text(set)).ThrowIfFail();
    }

    /// <summary>Mean cross-entropy of the batch's targets, ignored positions left out.</summary>
    public static double Loss(Params<float> parameters, GptConfig cfg, TokenBatch batch) =>
        Net.Apply(LanguageModel.Loss<float>(cfg, batch), parameters).Value.Span[0];

    // The same, for a loop over many batches: each batch's activations are built in the last one's buffers.
    private static double Loss(Params<float> parameters, GptConfig cfg, TokenBatch batch, StepBuffers buffers) =>
        Net.Output(LanguageModel.Loss<float>(cfg, batch), parameters, buffers).Span[0];

    /// <summary>A text file, split into training and validation ids.</summary>
    public sealed record Text(TextDataset Dataset) : RunData
    {
        /// <summary>The key of the validation batches: fixed, so every evaluation of every run sees the same windows.</summary>
        public static Key EvalKey { get; } = Key.FromSeed(7).FoldIn("eval");

        /// <inheritdoc/>
        public override ITokenBatches Batches => Dataset;

        /// <inheritdoc/>
        public override JsonObject Describe() => new()
        {
            ["kind"] = "text",
            ["source"] = Dataset.SourceName,
            ["sha256"] = Dataset.Sha256,
        };

        /// <summary>The mean loss over validation batches 0 … evalBatches − 1 drawn from <see cref="EvalKey"/>.</summary>
        public override Evaluation Evaluate(Params<float> parameters, GptConfig cfg, int evalBatches, StepBuffers? buffers = null)
        {
            var sum = 0.0;
            buffers ??= new StepBuffers();
            for (var i = 0; i < evalBatches; i++) sum += Loss(parameters, cfg, Dataset.ValidationBatch(EvalKey, i), buffers);
            return new Evaluation(sum / evalBatches, null, []);
        }
    }

    /// <summary>The built-in addition task: its held-out problems measure exact-match accuracy.</summary>
    public sealed record Addition(AdditionTask Task) : RunData
    {
        /// <inheritdoc/>
        public override ITokenBatches Batches => Task;

        /// <inheritdoc/>
        public override JsonObject Describe() => new() { ["kind"] = "addition", ["digits"] = Task.Digits };

        /// <summary>The loss on every held-out problem's answer digits, and how many answers greedy decoding gets exactly right.</summary>
        /// <remarks>
        /// The loss is taken a training batch of problems at a time (one batch of all 1,000 held-out problems needed a
        /// few hundred megabytes of activations); every answer has n + 1 digits, so the mean over all of them is the
        /// problem-weighted mean of the batches' means.
        /// </remarks>
        public override Evaluation Evaluate(Params<float> parameters, GptConfig cfg, int evalBatches, StepBuffers? buffers = null)
        {
            buffers ??= new StepBuffers();
            var loss = Task.HeldOut.Chunk(Task.BatchSize).Sum(chunk => Loss(parameters, cfg, Task.Batch(chunk), buffers) * chunk.Length)
                / Task.HeldOut.Length;
            var answers = Task.HeldOut.Select(p =>
            {
                var ids = Generation.Generate(parameters, cfg, p.PromptIds, p.AnswerIds.Length, SamplingOptions.Greedy, Key.FromSeed(0)).ToArray();
                return new AdditionAnswer(p.Prompt, p.Sum, AdditionTask.ReadAnswer(ids).MatchUnsafe(v => (long?)v, () => null));
            }).ToImmutableArray();
            return new Evaluation(loss, (double)answers.Count(a => a.Correct) / answers.Length, answers);
        }
    }
}
