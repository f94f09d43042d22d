using FunctionalNets.Optim;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

/// <summary>Bad hyperparameters are errors when the optimizer or schedule is made, naming it and the value.</summary>
public class BadArgumentTests
{
    public static TheoryData<string, Func<object>> Made => new()
    {
        { "Optimizer.Sgd: the learning rate must be positive and finite, got -0.1", () => Optimizer.Sgd<double>(-0.1) },
        { "Optimizer.Adam: the learning rate must be positive and finite, got 0", () => Optimizer.Adam<double>(0) },
        { "Optimizer.AdamW: the learning rate must be positive and finite, got -0.001", () => Optimizer.AdamW<float>(-1e-3) },
        { "Optimizer.Momentum: the learning rate must be positive and finite, got NaN", () => Optimizer.Momentum<double>(double.NaN) },
        { "Optimizer.ScaleByLearningRate: the learning rate must be positive and finite, got Infinity", () => Optimizer.ScaleByLearningRate<double>(double.PositiveInfinity) },
        { "Optimizer.ScaleByLearningRate: the learning-rate schedule gives -0.1 at step 0", () => Optimizer.Adam<double>(_ => -0.1) },
        { "Optimizer.AddDecayedWeights: weightDecay must be finite and ≥ 0, got -0.1", () => Optimizer.AdamW<double>(1e-3, weightDecay: -0.1) },
        { "Optimizer.ScaleByAdam: need 0 ≤ b1, b2 < 1 and a finite eps > 0, got b1 1,", () => Optimizer.Adam<double>(1e-3, b1: 1) },
        { "Optimizer.ScaleByAdam: need 0 ≤ b1, b2 < 1 and a finite eps > 0, got b1 0.9, b2 -0.5,", () => Optimizer.AdamW<double>(1e-3, b2: -0.5) },
        { "Optimizer.ScaleByAdam: need 0 ≤ b1, b2 < 1 and a finite eps > 0, got b1 0.9, b2 0.999, eps 0", () => Optimizer.Adam<double>(1e-3, eps: 0) },
        { "Optimizer.ScaleByAdam: need 0 ≤ b1, b2 < 1 and a finite eps > 0, got b1 0.9, b2 0.999, eps -1E-08", () => Optimizer.AdamW<double>(1e-3, eps: -1e-8) },
        { "Optimizer.Trace: beta must lie in [0, 1), got 1", () => Optimizer.Momentum<double>(0.1, beta: 1) },
        { "Optimizer.ClipByGlobalNorm: maxNorm must be finite and > 0, got 0", () => Optimizer.ClipByGlobalNorm<double>(0) },
        { "Schedules.Constant: value must be positive and finite, got -0.1", () => Schedules.Constant(-0.1) },
        { "Schedules.Constant: value must be positive and finite, got 0", () => Schedules.Constant(0) },
        { "Schedules.StepDecay: factor must be positive and finite, got 0", () => Schedules.StepDecay(1, 10, 0) },
        { "Schedules.Exponential: lr must be positive and finite, got -1", () => Schedules.Exponential(-1, 0.5, 10) },
        { "Schedules.LinearWarmup: peak must be positive and finite, got 0", () => Schedules.LinearWarmup(0, 10) },
        { "Schedules.LinearWarmup: init must be finite and ≥ 0, got -1", () => Schedules.LinearWarmup(1, 10, init: -1) },
        { "Schedules.CosineDecay: alpha must be finite and ≥ 0, got -0.1", () => Schedules.CosineDecay(1, 10, alpha: -0.1) },
        { "Schedules.WarmupCosine: end must be finite and ≥ 0, got -1", () => Schedules.WarmupCosine(1, 1, 10, end: -1) },
        { "Schedules.WarmupCosineFloor: peak must be positive and finite, got -1", () => Schedules.WarmupCosineFloor(-1, 1, 10, 0) },
        { "Schedules.WarmupCosineFloor: floor must be finite and ≥ 0, got -0.1", () => Schedules.WarmupCosineFloor(1, 1, 10, -0.1) },
    };

    [Theory, MemberData(nameof(Made))]
    public void Bad_hyperparameter_is_an_error_when_made(string message, Func<object> make) =>
        Assert.StartsWith(message, Assert.Throws<ArgumentException>(make).Message);

    [Fact]
    public void Schedule_that_turns_negative_later_is_an_error_at_that_step()
    {
        // A custom schedule is only known by its values: lr(0) is checked when the optimizer is made, the others at
        // the update that reads them. Steps 0–2 run; step 3 stops before anything is applied.
        Schedule lr = step => step < 3 ? 0.1 : -0.5;
        foreach (var opt in new[] { Optimizer.Sgd<double>(lr), Optimizer.AdamW<double>(lr) })
        {
            var (p, s, _) = Run(opt, P0, Enumerable.Repeat(Grads.First(), 3));
            var ex = Assert.Throws<ArgumentException>(() => opt.Update(Grads.First(), s, p));
            Assert.Contains("gives -0.5", ex.Message);
            Assert.Contains("at step 3", ex.Message);
        }
    }
}
