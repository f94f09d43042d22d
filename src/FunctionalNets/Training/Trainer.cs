using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Training;

/// <summary>
/// Training as a fold: a pure <see cref="Step(TrainState{T}, TBatch)"/> from (state, batch) to (state, report); <see cref="Fit"/>
/// aggregates it over batches and <see cref="Scan"/> yields every intermediate state and report lazily.
/// </summary>
/// <param name="Loss">The scalar loss of a batch (a mean over its examples, so the gradient is the mean of theirs).</param>
/// <param name="Optimizer">The update rule; each report's learning rate is the one it applied (<see cref="Transform{T}.LearningRate"/>).</param>
/// <param name="GuardNonFinite">Stop with <see cref="NonFiniteException"/> when the loss or a gradient is not finite.</param>
/// <param name="DigestParams">Put a SHA-256 digest of the new parameters in every report (for replay); off saves a pass over them.</param>
/// <param name="UpdateRatio">Put ‖update‖ / ‖params‖ in every report; off saves two passes over the parameters (the report then holds NaN).</param>
/// <param name="ReuseBuffers">
/// <see cref="Fit"/> and <see cref="Scan"/> write each step's activations and cotangents into the previous step's buffers
/// (<see cref="StepBuffers"/>) instead of leaving them to the garbage collector; the results are the same bits. Only for a
/// loss that keeps no tensor it builds beyond its own call.
/// </param>
public sealed record Trainer<T, TBatch>(
    Func<TBatch, Net<T, Var<T>>> Loss,
    Transform<T> Optimizer,
    bool GuardNonFinite = true,
    bool DigestParams = true,
    bool UpdateRatio = true,
    bool ReuseBuffers = false)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// One step: loss and gradients on the batch, the optimizer's update, a report. Nothing is mutated. When the guard
    /// fires, the step is run once more under watch, so the error names the op that produced the first non-finite value.
    /// </summary>
    public (TrainState<T> State, StepReport Report) Step(TrainState<T> s, TBatch batch) => Step(s, batch, buffers: null);

    /// <summary>
    /// <see cref="Step(TrainState{T}, TBatch)"/> with the step's tensors built in <paramref name="buffers"/>, which takes
    /// back those of the last step that used it (see <see cref="StepBuffers"/>); the same bits, for a loop of one's own.
    /// </summary>
    public (TrainState<T> State, StepReport Report) Step(TrainState<T> s, TBatch batch, StepBuffers? buffers)
    {
        var (loss, grads) = Grad.ValueAndGrad(Loss(batch), s.Params, s.Key.FoldIn(s.Step), buffers: buffers);
        var gradNorm = grads.GlobalNorm();
        var nonFinite = double.IsFinite(gradNorm) ? 0 : grads.NonFiniteCount(); // a finite norm proves every element finite
        if (GuardNonFinite && (!T.IsFinite(loss) || nonFinite > 0))
            throw new NonFiniteException(s.Step, !T.IsFinite(loss) ? $"the loss ({loss})" : $"the gradient of {FirstNonFinite(grads)}",
                NonFiniteOrigin.Find<T>(observer => Gradients(s, batch, observer)));
        var (updates, opt) = Optimizer.Update(grads, s.Opt, s.Params);
        var next = Optim.Optimizer.ApplyUpdates(s.Params, updates);
        var report = new StepReport(s.Step, double.CreateTruncating(loss), Optimizer.LearningRate?.Invoke(s.Opt.Step) ?? double.NaN, gradNorm,
            UpdateRatio ? Ratio(updates, s.Params) : double.NaN, nonFinite, DigestParams ? next.Digest() : "");
        return (new TrainState<T>(s.Step + 1, next, opt, s.Key, s.Cursor + 1), report);
    }

    /// <summary>
    /// The loss and gradients of step <c>s.Step</c> on <paramref name="batch"/>, as <see cref="Step(TrainState{T}, TBatch)"/> computes them
    /// (the key <c>s.Key.FoldIn(s.Step)</c>); <paramref name="observer"/>, when given, watches every op.
    /// </summary>
    public (T Loss, Params<T> Grads) Gradients(TrainState<T> s, TBatch batch, IOpObserver<T>? observer = null) =>
        Grad.ValueAndGrad(Loss(batch), s.Params, s.Key.FoldIn(s.Step), observer: observer);

    // ‖u‖ / ‖p‖, 0 while the parameters are all zero.
    private static double Ratio(Params<T> updates, Params<T> parameters)
    {
        var paramNorm = parameters.GlobalNorm();
        return paramNorm > 0 ? updates.GlobalNorm() / paramNorm : 0;
    }

    private static string FirstNonFinite(Params<T> grads) =>
        grads.First(kv => kv.Value.Data.Any(v => !T.IsFinite(v))).Key;

    /// <summary>The final state after a step on every batch, in order.</summary>
    public TrainState<T> Fit(TrainState<T> initial, IEnumerable<TBatch> batches)
    {
        var buffers = Buffers();
        return batches.Aggregate(initial, (s, b) => Step(s, b, buffers).State);
    }

    /// <summary>The state and report after each batch, computed lazily as the sequence is read.</summary>
    public IEnumerable<(TrainState<T> State, StepReport Report)> Scan(TrainState<T> initial, IEnumerable<TBatch> batches)
    {
        var (s, buffers) = (initial, Buffers());
        foreach (var b in batches)
        {
            var (next, report) = Step(s, b, buffers);
            s = next;
            yield return (next, report);
        }
    }

    private StepBuffers? Buffers() => ReuseBuffers ? new StepBuffers() : null;
}
