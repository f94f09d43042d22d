using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Log-softmax along an axis (the last by default): <c>y = (x − max) − log Σ exp(x − max)</c>, the logarithm of
/// <see cref="Softmax"/> without ever taking the log of an underflowed 0, and as accurate at a large offset as at 0
/// (the shift x − max is formed first, exactly for x near max).
/// </summary>
/// <remarks>
/// VJP: <c>dx = dy − softmax(x)·Σ dy</c> along the axis, with <c>softmax(x) = exp(y)</c> from the output.
/// Masked entries (<c>x = −∞</c>) stay −∞ and get <c>dx = dy</c>, finite; a fully masked line stays all −∞
/// (its output is its input) and passes dy through. Other axes than the last are moved last and back.
/// </remarks>
public static class LogSoftmax
{
    /// <summary><c>y = log softmax(x)</c> along the last axis.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Forward(x, -1);

    /// <summary><c>y = log softmax(x)</c> along <paramref name="axis"/> (negative counts from the end).</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => AlongAxis.Map(nameof(LogSoftmax), x, axis, Rows.LogSoftmax);

    /// <summary><c>dx = dy − exp(y)·Σ dy</c> given the forward output <paramref name="y"/>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> y, Tensor<T> dy, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T> => AlongAxis.Zip(nameof(LogSoftmax), y, dy, axis, Rows.LogSoftmaxVjp);

    /// <summary>Log-softmax along the last axis on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Apply(x, -1);

    /// <summary>Log-softmax along <paramref name="axis"/> on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Unary(nameof(LogSoftmax), x, v => Forward(v, axis), (_, y, dy) => Vjp(y, dy, axis));
}
