using System.Numerics;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;

namespace FunctionalNets.Training;

/// <summary>Everything training carries from one step to the next, as one value.</summary>
/// <param name="Step">How many steps have been taken.</param>
/// <param name="Params">The model's parameters.</param>
/// <param name="Opt">The optimizer's state (moments, counts).</param>
/// <param name="Key">The run's root key; step i draws from <c>Key.FoldIn(i)</c>.</param>
/// <param name="Cursor">How many batches of the data stream have been consumed.</param>
public sealed record TrainState<T>(long Step, Params<T> Params, OptState<T> Opt, Key Key, long Cursor)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The state before the first step: step 0, the optimizer initialised on <paramref name="parameters"/>.</summary>
    public static TrainState<T> Start(Params<T> parameters, Transform<T> optimizer, Key key) =>
        new(0, parameters, optimizer.Init(parameters), key, 0);
}

/// <summary>What one step did, as a value: for progress bars, plots, logs and replay.</summary>
/// <param name="Step">The step number (0-based) this report describes.</param>
/// <param name="Loss">The batch loss before the update.</param>
/// <param name="LearningRate">The learning rate the optimizer applied in this step (its schedule at the optimizer's step count); NaN when it has no schedule.</param>
/// <param name="GradNorm">The global L2 norm of the gradients.</param>
/// <param name="UpdateRatio">‖update‖ / ‖params‖: how far the step moved the parameters, relatively; NaN when the trainer skips it.</param>
/// <param name="NonFinite">How many gradient elements were NaN or ±∞.</param>
/// <param name="Digest">SHA-256 of the parameters after the step (paths, shapes, bytes), for replay; empty when the trainer skips it.</param>
public sealed record StepReport(long Step, double Loss, double LearningRate, double GradNorm, double UpdateRatio, long NonFinite, string Digest);

/// <summary>
/// Thrown when a loss or gradient stops being finite; names the step, the op that produced the first non-finite value
/// (when found) and what is not finite: the loss, or the gradient of the first parameter path affected.
/// </summary>
/// <param name="step">The step (0-based) that failed.</param>
/// <param name="where">What is not finite: <c>the loss (NaN)</c>, <c>the gradient of blocks/0/attn/wq/w</c>.</param>
/// <param name="origin">The op where the first non-finite value arose, if found.</param>
public sealed class NonFiniteException(long step, string where, NonFiniteOrigin? origin = null) :
    Exception($"step {step}: {(origin is null ? "" : $"{origin}; ")}{where} is not finite (NaN or ∞); training stopped before the update")
{
    /// <summary>The step (0-based) that failed.</summary>
    public long Step { get; } = step;

    /// <summary>The op where the first non-finite value arose, if found.</summary>
    public NonFiniteOrigin? Origin { get; } = origin;
}
