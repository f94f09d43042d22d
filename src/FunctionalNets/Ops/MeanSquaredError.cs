using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Mean squared error over all elements: <c>L = (1/n) Σᵢ (pᵢ − tᵢ)²</c> for prediction p and target t of the same shape.</summary>
/// <remarks>
/// VJP: <c>dp = dy·2(p − t)/n</c>, <c>dt = −dp</c>. No residuals beyond p and t. With no elements (n = 0) the loss
/// is 0 and both cotangents are empty.
/// </remarks>
public static class MeanSquaredError
{
    /// <summary><c>L = (1/n) Σᵢ (pᵢ − tᵢ)²</c>; a scalar.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> prediction, Tensor<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(MeanSquaredError), prediction, target);
        if (prediction.Size == 0) return Tensor.Scalar(T.Zero);
        var d = new T[prediction.Size];
        TensorPrimitives.Subtract(prediction.Span, target.Span, d);
        return Tensor.Scalar(TensorPrimitives.SumOfSquares<T>(d) / T.CreateTruncating(d.Length));
    }

    /// <summary><c>(dp, dt) = (dy·2(p − t)/n, −dy·2(p − t)/n)</c>.</summary>
    public static (Tensor<T> Dprediction, Tensor<T> Dtarget) Vjp<T>(Tensor<T> prediction, Tensor<T> target, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(MeanSquaredError), prediction, target);
        Check.ScalarCotangent(nameof(MeanSquaredError), dy);
        var g = dy.ToScalar() * T.CreateTruncating(2) / T.CreateTruncating(Math.Max(prediction.Size, 1));
        var dp = Tensor.Build<T>(prediction.Shape, o =>
        {
            TensorPrimitives.Subtract(prediction.Span, target.Span, o);
            TensorPrimitives.Multiply(o, g, o);
        });
        return (dp, Tensor.Build<T>(target.Shape, o => TensorPrimitives.Negate(dp.Span, o)));
    }

    /// <summary>MeanSquaredError on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> prediction, Var<T> target)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Binary(nameof(MeanSquaredError), prediction, target, Forward, (p, t, _, dy) => Vjp(p, t, dy));
}
