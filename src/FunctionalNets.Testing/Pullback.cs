using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>Runs a computation on a recording tape and pulls a cotangent back to its inputs, as reverse mode does.</summary>
public static class Pullback
{
    /// <summary>
    /// Brings <paramref name="xs"/> onto a recording tape (input i as a constant where <paramref name="constant"/>[i],
    /// else as a variable), runs <paramref name="apply"/>, and pulls <paramref name="dy"/> back from its result.
    /// </summary>
    /// <returns>
    /// The result's value and one cotangent per input: null for constants, zeros for a variable the pullbacks never
    /// reached.
    /// </returns>
    public static (Tensor<T> Y, Tensor<T>?[] Cotangents) OnTape<T>(Func<Var<T>[], Net<T, Var<T>>> apply, Tensor<T>[] xs,
        bool[] constant, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        var s = NetState<T>.Start(Params<T>.Empty, recording: true);
        var vars = new Var<T>[xs.Length];
        for (var i = 0; i < xs.Length; i++)
            (vars[i], s) = (constant[i] ? Net.Const(xs[i]) : Net.Variable(xs[i])).Run(s);
        var (y, end) = apply(vars).Run(s);
        if (dy.Shape != y.Shape)
            throw new ArgumentException($"Pullback.OnTape: dy {dy.Shape} does not match the result {y.Shape}");
        var ct = Grad.Backward(end.Tape, end.NextSlot, y.Id, dy);
        return (y.Value, [.. vars.Select((v, i) => constant[i] ? null : ct[v.Id] ?? Tensor.Zeros<T>(v.Shape))]);
    }
}
