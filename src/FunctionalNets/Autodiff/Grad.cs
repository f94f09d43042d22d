using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using FunctionalNets.Params;
using FunctionalNets.Random;
using FunctionalNets.Tensors;

namespace FunctionalNets.Autodiff;

/// <summary>Reverse mode: runs a net's recorded pullbacks from the newest back to the oldest.</summary>
public static class Grad
{
    /// <summary>
    /// The value of a scalar loss and its gradient with respect to every parameter (zeros for parameters the loss
    /// does not read). Cotangents of a value used more than once are added where it is consumed.
    /// <paramref name="observer"/>, when given, sees every op of the forward pass, then every pullback.
    /// </summary>
    public static (T Loss, Params<T> Grads) ValueAndGrad<T>(Net<T, Var<T>> loss, Params<T> parameters, Key? rng = null, bool training = true,
        IOpObserver<T>? observer = null)
        where T : unmanaged, INumber<T>
    {
        var (y, s) = loss.Run(NetState<T>.Start(parameters, recording: true, rng: rng, training: training, observer: observer));
        if (y.Value.Size != 1)
            throw new ArgumentException($"Grad.ValueAndGrad: the loss must be a single number, got shape {y.Shape}");
        var ct = Backward(s.Tape, s.NextSlot, y.Id, Tensor.Ones<T>(y.Shape), observer);
        // Parameter i owns slot i (see NetState), so the gradients line up with the parameters' paths.
        var grads = new Tensor<T>[parameters.PathCount];
        for (var i = 0; i < grads.Length; i++)
            grads[i] = ct[i] ?? Tensor.Zeros<T>(parameters.At(i).Shape);
        return (y.Value.ToScalar(), parameters.WithTensors(grads));
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
        where T : unmanaged, INumber<T>
    {
        var ct = new Tensor<T>?[slots];
        ct[output] = seed;
        for (var node = tape; node is not null; node = node.Previous)
        {
            if (ct[node.Output] is not { } dy) continue;
            ct[node.Output] = null;
            var dxs = node.Back(dy);
            observer?.Backward(new BackwardOp<T>(node.Op, Net.ScopePath(node.Scope), node.Output, dy, node.Inputs, dxs));
            for (var i = 0; i < node.Inputs.Length; i++)
            {
                if (dxs[i] is not { } dx) continue;
                var slot = node.Inputs[i];
                ct[slot] = ct[slot] is { } acc ? Accumulate(node.Op, acc, dx) : dx;
            }
        }
        return ct;
    }

    private static Tensor<T> Accumulate<T>(string op, Tensor<T> acc, Tensor<T> dx)
        where T : unmanaged, INumber<T>
    {
        if (acc.Shape != dx.Shape)
            throw new InvalidOperationException($"{op}: cotangent shape {dx.Shape} does not match {acc.Shape} collected so far");
        return Tensor.Build<T>(acc.Shape, y => TensorPrimitives.Add(acc.Span, dx.Span, y));
    }
}
