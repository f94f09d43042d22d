using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Autodiff;

/// <summary>
/// A differentiable value inside a <see cref="Net{T,A}"/>: a tensor and the slot its cotangent will collect in.
/// </summary>
/// <param name="Id">The slot on the tape: a parameter's position in its tree (see <see cref="NetState{T}"/>), other values numbered in creation order after the parameters.</param>
/// <param name="Value">The forward value.</param>
/// <param name="NeedsGrad">Whether a parameter flows into it, so a gradient must reach it; false for constants (inputs, targets) and values computed only from them.</param>
public readonly record struct Var<T>(int Id, Tensor<T> Value, bool NeedsGrad = true)
    where T : unmanaged, INumber<T>
{
    /// <summary>The value's shape.</summary>
    public Shape Shape => Value.Shape;

    /// <summary>Dimension of an axis of the value; negative axes count from the end.</summary>
    public int Dim(int axis) => Value.Dim(axis);
}

/// <summary>Maps an output cotangent to one cotangent per input, in input order; <c>null</c> means "no gradient".</summary>
public delegate Tensor<T>?[] Pullback<T>(Tensor<T> dy)
    where T : unmanaged, INumber<T>;

/// <summary>
/// An immutable, persistent list of recorded pullbacks, newest first, so running them from the head is exactly
/// reverse-mode order. Appending shares the older list, so every intermediate tape stays a valid value.
/// </summary>
/// <param name="Op">The op's name, for error messages.</param>
/// <param name="Scope">The scope the op ran under (<c>blocks/0/attn/</c>), for observers of the backward pass.</param>
/// <param name="Output">The slot of the op's result.</param>
/// <param name="Inputs">The slots of the op's differentiable inputs, in input order.</param>
/// <param name="Back">The op's pullback.</param>
/// <param name="Previous">The tape before this op.</param>
public sealed record Tape<T>(string Op, string Scope, int Output, int[] Inputs, Pullback<T> Back, Tape<T>? Previous)
    where T : unmanaged, INumber<T>;

/// <summary>Creates a parameter's initial value from its own key (derived from the root key and its path).</summary>
public delegate Tensor<T> Initializer<T>(FunctionalNets.Random.Key key, Shape shape)
    where T : unmanaged, INumber<T>;
