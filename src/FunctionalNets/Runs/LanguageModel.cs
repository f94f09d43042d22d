using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Models;
using FunctionalNets.Ops;
using FunctionalNets.Text;

namespace FunctionalNets.Runs;

/// <summary>The language-model objective over token batches.</summary>
public static class LanguageModel
{
    /// <summary>Mean next-token cross-entropy of the GPT's logits for <c>batch.Inputs</c> against <c>batch.Targets</c>, skipping targets of −1.</summary>
    public static Net<T, Var<T>> Loss<T>(GptConfig cfg, TokenBatch batch)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from logits in Gpt.Logits<T>(cfg, batch.Inputs)
        from loss in CrossEntropy.Apply(logits, batch.Targets, TokenBatch.Ignore)
        select loss;
}
