using System.Collections.Immutable;
using System.Numerics;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Autodiff;

/// <summary>
/// The result of <see cref="Grad.Vjp{T, A}"/>: what the net returned, the value of its output, and the pullback
/// from an output cotangent to the cotangents of the parameters, variables and taps.
/// </summary>
/// <remarks>Holds the recorded tape, an immutable value: every call of <see cref="Pullback"/> walks it afresh.</remarks>
public sealed class ValueAndPullback<T, A>
    where T : unmanaged, INumber<T>
{
    private readonly Var<T> output;
    private readonly Params<T> parameters;
    private readonly NetState<T> state;

    internal ValueAndPullback(A result, Var<T> output, Params<T> parameters, NetState<T> state) =>
        (Result, this.output, this.parameters, this.state) = (result, output, parameters, state);

    /// <summary>What the net returned (for example a record of its intermediate values).</summary>
    public A Result { get; }

    /// <summary>The value of the output the pullback starts from.</summary>
    public Tensor<T> Output => output.Value;

    /// <summary>
    /// The cotangents <c>dyᵀ·∂y/∂θ</c> of every parameter (zeros where none arrived), every variable (in creation
    /// order) and every tap (by path), for the output cotangent <paramref name="dy"/> of the output's shape.
    /// </summary>
    public Cotangents<T> Pullback(Tensor<T> dy)
    {
        if (dy.Shape != output.Shape)
            throw new ArgumentException($"Grad.Vjp: the cotangent has shape {dy.Shape}, the output has {output.Shape}");
        var keep = new bool[state.NextSlot];
        foreach (var tap in state.Taps.Values) keep[tap.Id] = true;
        var ct = Grad.Backward(state.Tape, state.NextSlot, output.Id, dy, keep);
        return new Cotangents<T>(
            Grad.ParameterCotangents(parameters, ct),
            [.. state.Variables.Select(v => ct[v.Id] ?? Tensor.Zeros<T>(v.Shape))],
            state.Taps.ToImmutableSortedDictionary(kv => kv.Key, kv => ct[kv.Value.Id] ?? Tensor.Zeros<T>(kv.Value.Shape), StringComparer.Ordinal));
    }

    /// <summary>The gradient of a one-element output: the pullback of 1.</summary>
    public Cotangents<T> Gradient()
    {
        Grad.RequireScalar(nameof(Gradient), output.Value);
        return Pullback(Tensor.Ones<T>(output.Shape));
    }
}

/// <summary>
/// The cotangents a pullback returns: one per parameter (a tree with the parameters' paths), one per
/// <see cref="Net.Variable{T}"/> in creation order, and one per <see cref="Net.Tap{T}"/> by path.
/// </summary>
/// <param name="Params">The parameters' cotangents, zeros where none arrived.</param>
/// <param name="Variables">The variables' cotangents, in the order the variables were created; zeros where none arrived.</param>
/// <param name="Taps">The taps' cotangents by full path, zeros where none arrived.</param>
public sealed record Cotangents<T>(Params<T> Params, ImmutableArray<Tensor<T>> Variables, ImmutableSortedDictionary<string, Tensor<T>> Taps)
    where T : unmanaged, INumber<T>
{
    /// <summary>The cotangent of the tap at <paramref name="path"/>; the error lists the taps that exist.</summary>
    public Tensor<T> Tap(string path) => Taps.TryGetValue(path, out var t)
        ? t
        : throw new KeyNotFoundException($"Cotangents: no tap '{path}' (have: {string.Join(", ", Taps.Keys)})");
}
