using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Training;

/// <summary>
/// The op that produced a step's first non-finite value: its pass, name and layer path, what it produced and what
/// went into it. Reads as <c>blocks/2/attn: Softmax produced NaN in the forward pass (its input held +∞)</c>.
/// </summary>
/// <param name="Pass">The pass the op ran in.</param>
/// <param name="Op">The op's name.</param>
/// <param name="Path">The layer path the op ran under (empty at the top level).</param>
/// <param name="Produced">The kinds of non-finite value it produced: <c>NaN</c>, <c>+∞ and −∞</c>.</param>
/// <param name="Sources">What went into it: its inputs (forward) or its output's cotangent (backward).</param>
public sealed record NonFiniteOrigin(OpPass Pass, string Op, string Path, string Produced, string Sources)
{
    /// <summary><c>path: Op produced … in the … pass (…)</c>.</summary>
    public override string ToString() =>
        $"{(Path.Length > 0 ? Path + ": " : "")}{Op} produced {Produced} in the {Pass.ToString().ToLowerInvariant()} pass ({Sources})";

    /// <summary>
    /// Reruns a gradient computation with an observer and names the op where its first non-finite value arose: in
    /// the forward pass when the loss is not finite, else in the backward pass (a gradient is not). None when the
    /// rerun is finite throughout.
    /// </summary>
    /// <param name="rerun">The computation to watch: given the observer, it runs loss and gradients (e.g. <see cref="Grad.ValueAndGrad{T}(Net{T, Var{T}}, Params{T}, Randomness.Key?, bool, IOpObserver{T}?, Tensors.StepBuffers?)"/>) and returns them.</param>
    /// <remarks>
    /// Not every non-finite value is a fault: a causal mask writes −∞ that the softmax turns into zeros. So the search
    /// starts from what failed (the loss, or the parameters whose gradient is not finite) and walks back through the
    /// ops whose results were not finite and fed it; the earliest of them is the origin. Its own non-finite inputs, if
    /// any, were then data or parameters, which the message shows.
    /// </remarks>
    public static NonFiniteOrigin? Find<T>(Func<IOpObserver<T>, (T Loss, Params<T> Grads)> rerun)
        where T : unmanaged, INumber<T>
    {
        var tracker = new Tracker<T>();
        var (loss, grads) = rerun(tracker);
        if (!T.IsFinite(loss))
            return tracker.LossSlot is { } slot ? Earliest(tracker.Forward, [slot], OpPass.Forward) : null;
        var failed = Enumerable.Range(0, grads.Tensors.Count).Where(i => TensorStats.Of(grads.Tensors[i]).NonFinite > 0);
        return Earliest(tracker.Backward, [.. failed], OpPass.Backward);
    }

    // The earliest of the records that feed the failed slots through non-finite values.
    private static NonFiniteOrigin? Earliest(List<Result> records, HashSet<int> live, OpPass pass)
    {
        Result? earliest = null;
        for (var i = records.Count - 1; i >= 0; i--)
        {
            var r = records[i];
            if (!live.Contains(r.Slot)) continue;
            earliest = r;
            foreach (var (slot, stats) in r.Sources)
                if (stats.NonFinite > 0) live.Add(slot);
        }
        return earliest is { } e ? new(pass, e.Op, e.Path, e.Stats.NonFiniteKinds(), Describe(pass, e.Sources)) : null;
    }

    private static string Describe(OpPass pass, (int Slot, TensorStats Stats)[] sources)
    {
        var what = pass == OpPass.Forward ? sources.Length == 1 ? "its input" : "its inputs" : "its output's cotangent";
        if (sources.Length != 1) return $"{what}: {string.Join("; ", sources.Select(s => s.Stats.Describe()))}";
        var stats = sources[0].Stats;
        return $"{what} {(stats.NonFinite > 0 ? "held" : "was")} {stats.Describe()}";
    }

    // A result that held a non-finite value: the slot it went to, and the slots and statistics of what made it.
    private readonly record struct Result(string Op, string Path, int Slot, TensorStats Stats, (int Slot, TensorStats Stats)[] Sources);

    // Keeps the results that are not finite; the loss's slot is the output of the first pullback to run.
    private sealed class Tracker<T> : IOpObserver<T>
        where T : unmanaged, INumber<T>
    {
        public List<Result> Forward { get; } = [];

        public List<Result> Backward { get; } = [];

        public int? LossSlot { get; private set; }

        void IOpObserver<T>.Forward(ForwardOp<T> op)
        {
            var stats = TensorStats.Of(op.Output.Value);
            if (stats.NonFinite == 0) return;
            Forward.Add(new(op.Op, op.Path, op.Output.Id, stats, [.. op.Inputs.Select(x => (x.Id, TensorStats.Of(x.Value)))]));
        }

        void IOpObserver<T>.Backward(BackwardOp<T> op)
        {
            LossSlot ??= op.Output;
            (int, TensorStats)[]? dy = null;
            for (var i = 0; i < op.Dxs.Count; i++)
            {
                if (op.Dxs[i] is not { } dx || TensorStats.Of(dx) is not { NonFinite: > 0 } stats) continue;
                dy ??= [(op.Output, TensorStats.Of(op.Dy))];
                Backward.Add(new(op.Op, op.Path, op.Inputs[i], stats, dy));
            }
        }
    }
}
