using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Text;

/// <summary>A language-model batch: token ids <c>Inputs</c> [B, T] and the ids to predict at each position, <c>Targets</c> [B, T].</summary>
/// <remarks>A target of <see cref="TokenBatch.Ignore"/> (−1) marks a position the loss skips (<c>CrossEntropy.Apply(logits, targets, ignoreIndex: -1)</c>).</remarks>
/// <param name="Inputs">The ids the model reads, [B, T].</param>
/// <param name="Targets">The next id at each position, [B, T], or <see cref="Ignore"/>.</param>
public sealed record TokenBatch(Tensor<int> Inputs, Tensor<int> Targets)
{
    /// <summary>The target that marks a position the loss leaves out.</summary>
    public const int Ignore = -1;
}

/// <summary>
/// A source of training batches for a language model: a tokenizer, a batch shape and a pure
/// <c>(key, step) → batch</c> function, so resuming or replaying a run needs no iterator state.
/// </summary>
public interface ITokenBatches
{
    /// <summary>The tokenizer whose ids the batches hold (a checkpoint saves its name and state).</summary>
    ITextTokenizer Tokenizer { get; }

    /// <summary>B, the sequences per batch.</summary>
    int BatchSize { get; }

    /// <summary>T, the positions per sequence (the model's context length).</summary>
    int ContextLength { get; }

    /// <summary>The training batch of <paramref name="step"/>: a function of <c>key.FoldIn(step)</c> alone.</summary>
    TokenBatch TrainBatch(Key key, long step);
}
