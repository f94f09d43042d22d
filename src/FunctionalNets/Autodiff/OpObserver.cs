using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Autodiff;

/// <summary>The pass of a gradient computation an op ran in.</summary>
public enum OpPass
{
    /// <summary>The forward pass: the op computed its result.</summary>
    Forward,

    /// <summary>The backward pass: the op's pullback turned its output's cotangent into its inputs' cotangents.</summary>
    Backward,
}

/// <summary>An op's forward result as an observer sees it.</summary>
/// <param name="Op">The op's name (<c>MatMul</c>, <c>Softmax</c>).</param>
/// <param name="Path">The layer path the op ran under, e.g. <c>blocks/0/attn</c> (empty at the top level).</param>
/// <param name="Output">The result and its slot.</param>
/// <param name="Inputs">The inputs and their slots, in input order.</param>
public readonly record struct ForwardOp<T>(string Op, string Path, Var<T> Output, IReadOnlyList<Var<T>> Inputs)
    where T : unmanaged, INumber<T>;

/// <summary>An op's pullback as an observer sees it: the output's cotangent in, one cotangent per input out.</summary>
/// <param name="Op">The op's name.</param>
/// <param name="Path">The layer path the op ran under in the forward pass.</param>
/// <param name="Output">The slot of the op's result, whose cotangent <paramref name="Dy"/> is.</param>
/// <param name="Dy">The cotangent of the op's result, complete (every consumer's share added).</param>
/// <param name="Inputs">The slots of the op's inputs, in input order.</param>
/// <param name="Dxs">The cotangent the pullback gave each input (null: none), before it is added to what the slot holds.</param>
public readonly record struct BackwardOp<T>(string Op, string Path, int Output, Tensor<T> Dy, IReadOnlyList<int> Inputs, IReadOnlyList<Tensor<T>?> Dxs)
    where T : unmanaged, INumber<T>;

/// <summary>
/// Watches every op of a computation: each result of the forward pass as it is computed, then each pullback of the
/// backward pass as it runs (newest op first). Passed in as a value (<see cref="NetState{T}.Observer"/>, the
/// <c>observer</c> of <see cref="Grad.Backward{T}(Tape{T}?, int, int, Tensor{T}, IOpObserver{T}?)"/>); traces and the non-finite finder are observers.
/// </summary>
/// <remarks>
/// An observer sees values only: it cannot change what the computation does. With no observer the ops pay one null
/// check each. Forward observations include ops whose inputs are all constants, which record nothing on the tape.
/// </remarks>
public interface IOpObserver<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>Called after an op computed its result, in execution order.</summary>
    void Forward(ForwardOp<T> op);

    /// <summary>Called after an op's pullback ran, in reverse-mode order.</summary>
    void Backward(BackwardOp<T> op);
}
