using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Softmax along an axis (the last by default): <c>y = exp(x − max) / Σ exp(x − max)</c>, max-shifted so no
/// exponential overflows; every line along the axis sums to 1.
/// </summary>
/// <remarks>
/// VJP: <c>dx = y ⊙ (dy − Σ dy ⊙ y)</c> along the axis, from the output, so x is not kept.
/// Masked entries (<c>x = −∞</c>) get <c>y = 0</c> and a finite gradient of 0; a fully masked line gives zeros
/// (not NaN) and a zero gradient. Other axes than the last are moved last and back (two copies).
/// </remarks>
public static class Softmax
{
    /// <summary><c>y = softmax(x)</c> along the last axis.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Forward(x, -1);

    /// <summary><c>y = softmax(x)</c> along <paramref name="axis"/> (negative counts from the end).</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => AlongAxis.Map(nameof(Softmax), x, axis, Rows.Softmax);

    /// <summary><c>dx = y ⊙ (dy − Σ dy ⊙ y)</c> given the forward output <paramref name="y"/>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> y, Tensor<T> dy, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T> => AlongAxis.Zip(nameof(Softmax), y, dy, axis, Rows.SoftmaxVjp);

    /// <summary>Softmax along the last axis on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Apply(x, -1);

    /// <summary>Softmax along <paramref name="axis"/> on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Unary(nameof(Softmax), x, v => Forward(v, axis), (_, y, dy) => Vjp(y, dy, axis));
}
