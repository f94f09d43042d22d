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
/// <param name="GradNorm">
/// Put ‖g‖ and the count of non-finite gradient elements in every report; off saves a pass over the gradients when the
/// guard, which reads them, is off too (the report then holds NaN and −1).
/// </param>
/// <param name="ReuseBuffers">
/// <see cref="Fit"/> and <see cref="Scan"/> write each step's activations, cotangents, gradients and updates into the previous
/// step's buffers (<see cref="StepBuffers"/>) instead of leaving them to the garbage collector, and <see cref="Fit"/> writes each
/// new state into the buffers of the state two steps back, which nobody else can see; the results are the same bits. Only for
/// a loss, and an optimizer, that keep no tensor they build beyond the step except in the state the step returns.
/// </param>
public sealed record Trainer<T, TBatch>(
    Func<TBatch, Net<T, Var<T>>> Loss,
    Transform<T> Optimizer,
    bool GuardNonFinite = true,
    bool DigestParams = true,
    bool UpdateRatio = true,
    bool ReuseBuffers = false,
    bool GradNorm = true)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// One step: loss and gradients on the batch, the optimizer's update, a report. Nothing is mutated. When the guard
    /// fires, the step is run once more under watch, so the error names the op that produced the first non-finite value.
    /// </summary>
    public (TrainState<T> State, StepReport Report) Step(TrainState<T> s, TBatch batch) => Step(s, batch, buffers: null);

    /// <summary>
    /// <see cref="Step(TrainState{T}, TBatch)"/> with every tensor the step builds (activations, cotangents, gradients,
    /// updates, the new state) taken from <paramref name="buffers"/>, which takes back those of the last step that used it
    /// except the ones the returned state holds; the same bits, for a loop of one's own.
    /// </summary>
    /// <param name="s">The state to step from.</param>
    /// <param name="batch">The batch of this step.</param>
    /// <param name="buffers">The buffers to build in; null allocates afresh.</param>
    /// <param name="donate">
    /// JAX's buffer donation: the caller gives <paramref name="s"/> up, so later steps may write into the buffers of its
    /// parameters and optimizer trees (those the returned state still holds excepted). The caller must not read
    /// <paramref name="s"/>, or anything sharing its tensors, after this call. Ignored without <paramref name="buffers"/>.
    /// </param>
    public (TrainState<T> State, StepReport Report) Step(TrainState<T> s, TBatch batch, StepBuffers? buffers, bool donate = false)
    {
        if (buffers is null) return Finish(s, batch, Advance(s, batch));
        Advanced advanced;
        using (buffers.Lend()) advanced = Advance(s, batch);
        if (advanced.Next is not { } next) return Finish(s, batch, advanced);
        // Only buffers the lender deals in matter, and a model of tiny tensors (W5) has none: no set is made for it.
        HashSet<T[]>? kept = null;
        HandOver(next, buffers, ref kept, donated: false);
        if (donate) HandOver(s, buffers, ref kept, donated: true);
        return Finish(s, batch, advanced);
    }

    // Gives away (or, for a donated state, hands back) each buffer of a state's tensors, its parameters and its optimizer's
    // trees, that a lender would lend and that is not yet in kept. Plain loops: enumerators cost W5 a tenth of a µs each.
    private static void HandOver(TrainState<T> s, StepBuffers buffers, ref HashSet<T[]>? kept, bool donated)
    {
        HandOver(s.Params, buffers, ref kept, donated);
        if (s.Opt.Slots.IsEmpty) return;
        foreach (var tree in s.Opt.Slots.Values) HandOver(tree, buffers, ref kept, donated);
    }

    private static void HandOver(Params<T> tree, StepBuffers buffers, ref HashSet<T[]>? kept, bool donated)
    {
        foreach (var t in tree.TensorSpan)
        {
            var buffer = t.UnsafeBuffer();
            if (!StepBuffers.Lends(buffer) || !(kept ??= new(ReferenceEqualityComparer.Instance)).Add(buffer)) continue;
            if (donated) buffers.Reclaim(buffer);
            else buffers.GiveAway(buffer);
        }
    }

    // The step's results before the guard's verdict: the next state, or the description of what was not finite.
    private readonly record struct Advanced(TrainState<T>? Next, StepReport? Report, string? NonFinite);

    private Advanced Advance(TrainState<T> s, TBatch batch)
    {
        var (loss, grads) = Grad.LossAndGradients(Loss(batch), s.Params, s.Key.FoldIn(s.Step), training: true, observer: null);
        var measured = GradNorm || GuardNonFinite;
        var gradNorm = measured ? grads.GlobalNorm() : double.NaN;
        var nonFinite = !measured ? -1 : double.IsFinite(gradNorm) ? 0 : grads.NonFiniteCount(); // a finite norm proves every element finite
        if (GuardNonFinite && (!T.IsFinite(loss) || nonFinite > 0))
            return new(null, null, !T.IsFinite(loss) ? $"the loss ({loss})" : $"the gradient of {FirstNonFinite(grads)}");
        var (updates, opt) = Optimizer.Update(grads, s.Opt, s.Params);
        var next = Optim.Optimizer.ApplyUpdates(s.Params, updates);
        var report = new StepReport(s.Step, double.CreateTruncating(loss), Optimizer.LearningRate?.Invoke(s.Opt.Step) ?? double.NaN, gradNorm,
            UpdateRatio ? Ratio(updates, s.Params) : double.NaN, nonFinite, DigestParams ? next.Digest() : "");
        return new(new TrainState<T>(s.Step + 1, next, opt, s.Key, s.Cursor + 1), report, null);
    }

    // The step's result, or the guard's error; the op that went non-finite is searched for with no buffers lent.
    private (TrainState<T> State, StepReport Report) Finish(TrainState<T> s, TBatch batch, Advanced advanced) =>
        advanced is { Next: { } next, Report: { } report }
            ? (next, report)
            : throw new NonFiniteException(s.Step, advanced.NonFinite!, NonFiniteOrigin.Find<T>(observer => Gradients(s, batch, observer)));

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
        // Every state but the caller's initial one is the fold's own, so each is donated to the steps after it.
        var buffers = Buffers();
        return batches.Aggregate(initial, (s, b) => Step(s, b, buffers, donate: !ReferenceEquals(s, initial)).State);
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
