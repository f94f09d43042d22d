using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Elementwise quotient with broadcasting, <c>y = a / b</c> (see <see cref="Broadcast"/>).</summary>
/// <remarks>
/// VJP: <c>da = dy / b</c>, <c>db = −dy·a / b² = −(dy / b)·y</c>, each summed over the axes along which that
/// operand was stretched (<see cref="Broadcast.SumTo{T}"/>). Residuals: a and b (y is recomputed). Division by 0
/// follows IEEE: ±∞ for a ≠ 0, NaN for 0/0, and the same in the cotangents. Incompatible shapes throw an error
/// naming the op and both shapes.
/// </remarks>
public static class Divide
{
    /// <summary><c>y = a / b</c>, broadcast.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => Broadcast.Elementwise<DivideKernel<T>, T>(nameof(Divide), a, b);

    /// <summary><c>(da, db) = (dy / b, −(dy / b)·(a / b))</c>, each summed down to its operand's shape.</summary>
    public static (Tensor<T> Da, Tensor<T> Db) Vjp<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Broadcast.RequireCotangent(nameof(Divide), a, b, dy);
        var q = Forward(dy, b); // dy / b, shaped like y
        return (Broadcast.SumTo(q, a.Shape), Negate.Forward(Broadcast.SumTo(Multiply.Forward(q, Forward(a, b)), b.Shape)));
    }

    /// <summary>Divide on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> a, Var<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Binary(nameof(Divide), a, b, Forward, (a, b, _, dy) => Vjp(a, b, dy));

    private readonly struct DivideKernel<T> : IBroadcastOp<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
        public static void Invoke(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
        public static void Invoke(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);
    }
}
