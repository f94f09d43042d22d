using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Autodiff;

/// <summary>
/// Reverse mode: runs a net's recorded pullbacks from the newest back to the oldest. JAX's entry points:
/// <see cref="ValueAndGrad{T}(Net{T, Var{T}}, Params{T}, Key?, bool, IOpObserver{T}?, StepBuffers?)"/> for a scalar loss and its parameter
/// gradients, <see cref="ValueAndGrad{T}(Func{Var{T}[], Net{T, Var{T}}}, Tensor{T}[], Params{T}?, Key?, bool)"/>
/// for the gradients with respect to inputs as well, and <see cref="Vjp{T, A}"/> for the value of any net with a
/// pullback from any output cotangent to the cotangents of its parameters, variables and taps.
/// </summary>
public static class Grad
{
    /// <summary>
    /// The value of a scalar loss and its gradient with respect to every parameter (zeros for parameters the loss
    /// does not read). Cotangents of a value used more than once are added where it is consumed.
    /// <paramref name="observer"/>, when given, sees every op of the forward pass, then every pullback.
    /// <paramref name="buffers"/>, when given, lends the buffers of every tensor the call builds and takes back those of
    /// the previous call that used it (the gradients' buffers are given away to the caller, never lent again); it is not used
    /// while an observer watches, since an observer may keep what it sees.
    /// </summary>
    public static (T Loss, Params<T> Grads) ValueAndGrad<T>(Net<T, Var<T>> loss, Params<T> parameters, Key? rng = null, bool training = true,
        IOpObserver<T>? observer = null, StepBuffers? buffers = null)
        where T : unmanaged, INumber<T>
    {
        if (buffers is null || observer is not null) return LossAndGradients(loss, parameters, rng, training, observer);
        (T Loss, Params<T> Grads) result;
        using (buffers.Lend()) result = LossAndGradients(loss, parameters, rng, training, observer: null);
        foreach (var g in result.Grads.Tensors) buffers.GiveAway(g.UnsafeBuffer());
        return result;
    }

    /// <summary>The loss and its parameter gradients, with buffers from whatever lender the caller has made active.</summary>
    internal static (T Loss, Params<T> Grads) LossAndGradients<T>(Net<T, Var<T>> loss, Params<T> parameters, Key? rng, bool training,
        IOpObserver<T>? observer)
        where T : unmanaged, INumber<T>
    {
        var (y, s) = loss.Run(NetState<T>.Start(parameters, recording: true, rng: rng, training: training, observer: observer));
        RequireScalar(nameof(ValueAndGrad), y.Value);
        var ct = Backward(s.Tape, s.NextSlot, y.Id, Tensor.Ones<T>(y.Shape), observer);
        return (y.Value.ToScalar(), ParameterCotangents(parameters, ct));
    }

    /// <summary>
    /// JAX's <c>value_and_grad</c> with respect to inputs and parameters: <paramref name="f"/> receives
    /// <paramref name="inputs"/> as variables (<see cref="Net.Variable{T}"/>, in order) and returns a scalar; the
    /// result holds its value and the gradients of every parameter, every variable (<c>Variables[i]</c> for
    /// <c>inputs[i]</c>, then any variable <paramref name="f"/> creates) and every tap.
    /// </summary>
    public static (T Value, Cotangents<T> Grads) ValueAndGrad<T>(Func<Var<T>[], Net<T, Var<T>>> f, Tensor<T>[] inputs,
        Params<T>? parameters = null, Key? rng = null, bool training = true)
        where T : unmanaged, INumber<T>
    {
        var vjp = Vjp(f, inputs, parameters, rng, training);
        return (vjp.Output.ToScalar(), vjp.Gradient());
    }

    /// <summary>
    /// JAX's <c>vjp</c> of a whole net: runs <paramref name="f"/> once, recording, and returns its result with a
    /// pullback from a cotangent of the output <paramref name="output"/> picks to the cotangents of every
    /// parameter, every <see cref="Net.Variable{T}"/> and every <see cref="Net.Tap{T}"/>. The result
    /// <typeparamref name="A"/> can carry intermediate values (a record of the forward pass) besides the output.
    /// </summary>
    /// <remarks>The tape is an immutable value, so the pullback can be called any number of times, with any cotangent.</remarks>
    public static ValueAndPullback<T, A> Vjp<T, A>(Net<T, A> f, Func<A, Var<T>> output, Params<T> parameters, Key? rng = null, bool training = true)
        where T : unmanaged, INumber<T>
    {
        var (a, s) = f.Run(NetState<T>.Start(parameters, recording: true, rng: rng, training: training));
        return new ValueAndPullback<T, A>(a, output(a), parameters, s);
    }

    /// <summary><see cref="Vjp{T, A}"/> of a net whose result is its output.</summary>
    public static ValueAndPullback<T, Var<T>> Vjp<T>(Net<T, Var<T>> f, Params<T> parameters, Key? rng = null, bool training = true)
        where T : unmanaged, INumber<T> => Vjp(f, y => y, parameters, rng, training);

    /// <summary>
    /// <see cref="Vjp{T, A}"/> of a function of inputs: <paramref name="f"/> receives <paramref name="inputs"/> as
    /// variables, so the pullback's <c>Variables[i]</c> is the cotangent of <c>inputs[i]</c>. Without parameters
    /// the net reads none.
    /// </summary>
    public static ValueAndPullback<T, Var<T>> Vjp<T>(Func<Var<T>[], Net<T, Var<T>>> f, Tensor<T>[] inputs,
        Params<T>? parameters = null, Key? rng = null, bool training = true)
        where T : unmanaged, INumber<T>
    {
        var variables = inputs.Aggregate(Net.Pure<T, Var<T>[]>([]), (acc, x) =>
            from done in acc
            from v in Net.Variable(x)
            select (Var<T>[])[.. done, v]);
        return Vjp(variables.Bind(f), parameters ?? Params<T>.Empty, rng, training);
    }

    /// <summary>
    /// Propagates <paramref name="seed"/> from slot <paramref name="output"/> through <paramref name="tape"/> and
    /// returns the cotangent of every leaf slot: parameters, variables and constants (null where none arrived). The
    /// array is local to this call. <paramref name="observer"/>, when given, sees each pullback after it ran.
    /// </summary>
    /// <remarks>
    /// An op's output cotangent is complete when the walk reaches the op (everything that consumed the output was
    /// recorded after it), so it is dropped once the op's pullback has run: intermediate cotangents become garbage as
    /// the walk proceeds instead of living until it ends.
    /// </remarks>
    public static Tensor<T>?[] Backward<T>(Tape<T>? tape, int slots, int output, Tensor<T> seed, IOpObserver<T>? observer = null)
        where T : unmanaged, INumber<T> => Backward(tape, slots, output, seed, keep: null, observer);

    // The walk of Backward; the op outputs marked in keep (taps) keep their cotangents after their pullback has run.
    internal static Tensor<T>?[] Backward<T>(Tape<T>? tape, int slots, int output, Tensor<T> seed, bool[]? keep, IOpObserver<T>? observer = null)
        where T : unmanaged, INumber<T>
    {
        var ct = new Tensor<T>?[slots];
        ct[output] = seed;
        for (var node = tape; node is not null; node = node.Previous)
        {
            if (ct[node.Output] is not { } dy) continue;
            if (keep is null || !keep[node.Output]) ct[node.Output] = null;
            var dxs = node.Back(dy);
            observer?.Backward(new BackwardOp<T>(node.Op, Net.ScopePath(node.Scope), node.Output, dy, node.Inputs, dxs));
            for (var i = 0; i < node.InputCount; i++)
            {
                if (dxs[i] is not { } dx) continue;
                var slot = node.InputSlot(i);
                ct[slot] = ct[slot] is { } acc ? Accumulate(node.Op, acc, dx) : dx;
            }
        }
        return ct;
    }

    // Parameter i owns slot i (see NetState), so the gradients line up with the parameters' paths.
    internal static Params<T> ParameterCotangents<T>(Params<T> parameters, Tensor<T>?[] ct)
        where T : unmanaged, INumber<T>
    {
        var grads = new Tensor<T>[parameters.PathCount];
        for (var i = 0; i < grads.Length; i++)
            grads[i] = ct[i] ?? Tensor.Zeros<T>(parameters.At(i).Shape);
        return parameters.WithTensors(grads);
    }

    internal static void RequireScalar<T>(string entry, Tensor<T> y)
        where T : unmanaged, INumber<T>
    {
        if (y.Size != 1)
            throw new ArgumentException($"Grad.{entry}: the loss must be a single number, got shape {y.Shape}");
    }

    private static Tensor<T> Accumulate<T>(string op, Tensor<T> acc, Tensor<T> dx)
        where T : unmanaged, INumber<T>
    {
        if (acc.Shape != dx.Shape)
            throw new InvalidOperationException($"{op}: cotangent shape {dx.Shape} does not match {acc.Shape} collected so far");
        return Tensor.Build<T, (Tensor<T> Acc, Tensor<T> Dx)>(acc.Shape, (acc, dx), static (s, y) => TensorPrimitives.Add(s.Acc.Span, s.Dx.Span, y));
    }
}
