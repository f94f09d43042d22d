using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Elementwise difference with broadcasting, <c>y = a − b</c> (see <see cref="Broadcast"/>).</summary>
/// <remarks>
/// VJP: <c>da = dy</c>, <c>db = −dy</c>, each summed over the axes along which that operand was stretched
/// (<see cref="Broadcast.SumTo{T}"/>). No residuals. Incompatible shapes throw an error naming the op and both shapes.
/// </remarks>
public static class Subtract
{
    /// <summary><c>y = a − b</c>, broadcast.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Elementwise<SubtractKernel<T>, T>(nameof(Subtract), a, b);

    /// <summary><c>(da, db) = (dy, −dy)</c>, each summed down to its operand's shape.</summary>
    public static (Tensor<T> Da, Tensor<T> Db) Vjp<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Broadcast.RequireCotangent(nameof(Subtract), a, b, dy);
        // Negation is exact, so negating after the sum equals summing −dy, at a smaller cost.
        return (Broadcast.SumTo(dy, a.Shape), Negate.Forward(Broadcast.SumTo(dy, b.Shape)));
    }

    /// <summary>Subtract on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> a, Var<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(Subtract), [a, b], Forward(a.Value, b.Value), Add.SumBack<T>(a.Shape, b.Shape, negateB: true));

    private readonly struct SubtractKernel<T> : IBroadcastOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
        public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
        public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);
    }
}
