using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;
using FunctionalNets.Tensors;

namespace FunctionalNets.Autodiff;

/// <summary>
/// A differentiable value inside a <see cref="Net{T,A}"/>: a tensor and the slot its cotangent will collect in.
/// Only the net that owns the tape makes one (<see cref="Net"/>'s builders and op lifts), so a slot is never forged.
/// </summary>
public readonly record struct Var<T>
    where T : unmanaged, INumber<T>
{
    internal Var(int id, Tensor<T> value, bool needsGrad = true) => (Id, Value, NeedsGrad) = (id, value, needsGrad);

    /// <summary>The slot on the tape: a parameter's position in its tree (see <see cref="NetState{T}"/>), other values numbered in creation order after the parameters.</summary>
    public int Id { get; }

    /// <summary>The forward value.</summary>
    public Tensor<T> Value { get; }

    /// <summary>Whether a parameter or variable flows into it, so a gradient must reach it; false for constants (inputs, targets) and values computed only from them.</summary>
    public bool NeedsGrad { get; }

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
public sealed record Tape<T>
    where T : unmanaged, INumber<T>
{
    // Nearly every op has one or two inputs: their slots live in fields, so recording one allocates no array. Three or
    // more inputs keep all their slots in `more`.
    private readonly int count, first, second;
    private readonly int[]? more;

    internal Tape(string op, string scope, int output, ReadOnlySpan<Var<T>> inputs, Pullback<T> back, Tape<T>? previous)
    {
        (Op, Scope, Output, Back, Previous, count) = (op, scope, output, back, previous, inputs.Length);
        if (count > 2)
        {
            more = new int[count];
            for (var i = 0; i < count; i++) more[i] = inputs[i].Id;
        }
        else
        {
            if (count > 0) first = inputs[0].Id;
            if (count > 1) second = inputs[1].Id;
        }
    }

    /// <summary>The op's name, for error messages.</summary>
    public string Op { get; }

    /// <summary>The scope the op ran under (<c>blocks/0/attn/</c>), for observers of the backward pass.</summary>
    public string Scope { get; }

    /// <summary>The slot of the op's result.</summary>
    public int Output { get; }

    /// <summary>The slots of the op's differentiable inputs, in input order.</summary>
    public ImmutableArray<int> Inputs => more is not null ? ImmutableCollectionsMarshal.AsImmutableArray(more) : count switch
    {
        0 => [],
        1 => [first],
        _ => [first, second],
    };

    /// <summary>The op's pullback.</summary>
    public Pullback<T> Back { get; }

    /// <summary>The tape before this op.</summary>
    public Tape<T>? Previous { get; }

    // The number of input slots and each one without building Inputs, for the backward walk.
    internal int InputCount => count;

    internal int InputSlot(int i) => more is not null ? more[i] : i == 0 ? first : second;
}
