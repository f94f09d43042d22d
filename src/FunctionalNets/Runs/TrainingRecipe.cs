using FunctionalNets.Models;
using FunctionalNets.Optim;
using LanguageExt;
using LanguageExt.Common;
using Schedule = FunctionalNets.Optim.Schedule;

namespace FunctionalNets.Runs;

/// <summary>
/// How a language model is trained: batch size, steps, and the optimizer, clip → AdamW with weight decay on the
/// rank ≥ 2 tensors (embeddings and weight matrices, not gains or biases), under a warm-up then cosine schedule.
/// </summary>
/// <param name="Batch">B, sequences per step.</param>
/// <param name="Iters">Steps of the whole run.</param>
/// <param name="DecaySteps">The step at which the cosine reaches <paramref name="MinLr"/> (usually <paramref name="Iters"/>; kept when a run is extended).</param>
/// <param name="Lr">The peak learning rate.</param>
/// <param name="MinLr">The floor the cosine ends at.</param>
/// <param name="Warmup">Warm-up steps: <c>lr·(t + 1)/(W + 1)</c> for <c>t &lt; W</c>.</param>
/// <param name="WeightDecay">Decoupled weight decay on rank ≥ 2 tensors.</param>
/// <param name="Clip">Global gradient-norm clip (0 = none).</param>
/// <param name="Beta1">Adam's β₁.</param>
/// <param name="Beta2">Adam's β₂.</param>
/// <param name="Eps">Adam's ε.</param>
public sealed record TrainingRecipe(int Batch, long Iters, long DecaySteps, double Lr, double MinLr, long Warmup, double WeightDecay,
    double Clip, double Beta1 = 0.9, double Beta2 = 0.99, double Eps = 1e-8)
{
    /// <summary>The recipe, or every invalid field at once.</summary>
    public static Validation<Error, TrainingRecipe> Create(int batch, long iters, long decaySteps, double lr, double minLr, long warmup,
        double weightDecay, double clip, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8) =>
        (Rules.Require(batch > 0, $"batch must be positive, got {batch}")
         | Rules.Require(iters > 0, $"iters must be positive, got {iters}")
         | Rules.Require(lr > 0 && double.IsFinite(lr), $"lr must be positive and finite, got {lr}")
         | Rules.Require(minLr >= 0 && minLr <= lr, $"min-lr must be in [0, lr = {lr}], got {minLr}")
         | Rules.Require(warmup >= 0, $"warmup must be ≥ 0, got {warmup}")
         | Rules.Require(decaySteps > warmup, $"the decay must end after the warm-up ({warmup} steps), got {decaySteps}")
         | Rules.Require(weightDecay >= 0 && double.IsFinite(weightDecay), $"weight-decay must be ≥ 0, got {weightDecay}")
         | Rules.Require(clip >= 0 && double.IsFinite(clip), $"clip must be ≥ 0 (0 = none), got {clip}")
         | Rules.Require(beta1 is >= 0 and < 1, $"beta1 must be in [0, 1), got {beta1}")
         | Rules.Require(beta2 is >= 0 and < 1, $"beta2 must be in [0, 1), got {beta2}")
         | Rules.Require(eps > 0, $"eps must be positive, got {eps}"))
        .Map(_ => new TrainingRecipe(batch, iters, decaySteps, lr, minLr, warmup, weightDecay, clip, beta1, beta2, eps));

    /// <summary>The learning rate at each step; the optimizer and the step reports read this one schedule.</summary>
    public Schedule Schedule => Schedules.WarmupCosineFloor(Lr, Warmup, DecaySteps, MinLr);

    /// <summary><c>Chain(ClipByGlobalNorm(clip), AdamW(schedule, wd on rank ≥ 2, β₁, β₂, ε))</c>; no clip when it is 0.</summary>
    public Transform<T> Optimizer<T>()
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var adamW = Optim.Optimizer.AdamW<T>(Schedule, WeightDecay, Beta1, Beta2, Eps, ParamMask.MatricesOnly);
        return Clip > 0 ? Optim.Optimizer.Chain(Optim.Optimizer.ClipByGlobalNorm<T>(Clip), adamW) : adamW;
    }
}
