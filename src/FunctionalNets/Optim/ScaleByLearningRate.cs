using System.Numerics;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// <c>u = −lr(t)·g</c> with <c>t</c> the state's step before this update, so the first update uses <c>lr(0)</c>.
    /// The minus sign turns a gradient into a descent step.
    /// </summary>
    /// <remarks>
    /// The result carries <paramref name="lr"/> as its <see cref="Transform{T}.LearningRate"/>. A schedule that gives a
    /// negative or non-finite rate is an error: at once for <c>lr(0)</c>, otherwise at the update that reads it
    /// (a negative rate would climb the loss instead of descending it).
    /// </remarks>
    public static Transform<T> ScaleByLearningRate<T>(Schedule lr)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RateAt(nameof(ScaleByLearningRate), lr, 0);
        return Stateless<T>((g, s, _) => g.Scale(T.CreateTruncating(-RateAt(nameof(ScaleByLearningRate), lr, s.Step)))) with { LearningRate = lr };
    }

    /// <summary><c>u = −lr·g</c> for a constant learning rate, which must be positive.</summary>
    public static Transform<T> ScaleByLearningRate<T>(double lr)
        where T : unmanaged, IFloatingPointIeee754<T> => ScaleByLearningRate<T>(ConstantRate(nameof(ScaleByLearningRate), lr));

    // lr(step), or an error naming the op and the step when it is negative or not finite.
    private static double RateAt(string op, Schedule lr, long step)
    {
        var rate = lr(step);
        return rate >= 0 && double.IsFinite(rate)
            ? rate
            : throw new ArgumentException($"Optimizer.{op}: the learning-rate schedule gives {rate} at step {step}; a rate must be finite and ≥ 0");
    }

    // The constant schedule of an optimizer's rate, or an error naming the optimizer when the rate is not positive.
    private static Schedule ConstantRate(string op, double lr) =>
        lr > 0 && double.IsFinite(lr)
            ? Schedules.Constant(lr)
            : throw new ArgumentException($"Optimizer.{op}: the learning rate must be positive and finite, got {lr}");
}
