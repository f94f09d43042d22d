using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Elementwise (Hadamard) product with broadcasting, <c>y = a ⊙ b</c> (see <see cref="Broadcast"/>).</summary>
/// <remarks>
/// VJP: <c>da = dy ⊙ b</c>, <c>db = dy ⊙ a</c>, each summed over the axes along which that operand was stretched
/// (<see cref="Broadcast.SumTo{T}"/>). Residuals: a and b. Incompatible shapes throw an error naming the op and both shapes.
/// </remarks>
public static class Multiply
{
    /// <summary><c>y = a ⊙ b</c>, broadcast.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Elementwise<MultiplyKernel<T>, T>(nameof(Multiply), a, b);

    /// <summary><c>(da, db) = (dy ⊙ b, dy ⊙ a)</c>, each summed down to its operand's shape.</summary>
    public static (Tensor<T> Da, Tensor<T> Db) Vjp<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Broadcast.RequireCotangent(nameof(Multiply), a, b, dy);
        return (Broadcast.SumTo(Forward(dy, b), a.Shape), Broadcast.SumTo(Forward(dy, a), b.Shape));
    }

    /// <summary>Multiply on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> a, Var<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Binary(nameof(Multiply), a, b, Forward, (a, b, _, dy) => Vjp(a, b, dy));

    private readonly struct MultiplyKernel<T> : IBroadcastOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);
        public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);
        public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(b, a, y);
    }
}
