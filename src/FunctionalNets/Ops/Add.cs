using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Elementwise sum with broadcasting, <c>y = a + b</c> (see <see cref="Broadcast"/>: [B, T, C] + [C] adds a bias to every row).</summary>
/// <remarks>
/// VJP: <c>da = dy</c>, <c>db = dy</c>, each summed over the axes along which that operand was stretched
/// (<see cref="Broadcast.SumTo{T}"/>). No residuals. Incompatible shapes throw an error naming the op and both shapes.
/// </remarks>
public static class Add
{
    /// <summary><c>y = a + b</c>, broadcast.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Elementwise<AddKernel<T>, T>(nameof(Add), a, b);

    /// <summary><c>(da, db) = (dy, dy)</c>, each summed down to its operand's shape.</summary>
    public static (Tensor<T> Da, Tensor<T> Db) Vjp<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Broadcast.RequireCotangent(nameof(Add), a, b, dy);
        return (Broadcast.SumTo(dy, a.Shape), Broadcast.SumTo(dy, b.Shape));
    }

    /// <summary>Add on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> a, Var<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(Add), [a, b], Forward(a.Value, b.Value), SumBack<T>(a.Shape, b.Shape, negateB: false));

    /// <summary>
    /// The pullback of <c>a ± b</c>: dy summed down to each operand's shape, negated for b when subtracting. It keeps
    /// only the shapes, so the operands can be freed before the backward pass reaches this op.
    /// </summary>
    internal static Pullback<T> SumBack<T>(Shape a, Shape b, bool negateB)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        dy => [Broadcast.SumTo(dy, a), negateB ? Negate.Forward(Broadcast.SumTo(dy, b)) : Broadcast.SumTo(dy, b)];

    internal readonly struct AddKernel<T> : IBroadcastOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(a, b, y);
        public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Add(a, b, y);
        public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(b, a, y);
    }
}
