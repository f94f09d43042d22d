using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>Mean squared error over all elements: <c>L = (1/n) Σᵢ (pᵢ − tᵢ)²</c> for prediction p and target t of the same shape.</summary>
/// <remarks>
/// VJP: <c>dp = dy·2(p − t)/n</c>, <c>dt = −dp</c>. No residuals beyond p and t. With no elements (n = 0) there is
/// no mean: an error, as for <see cref="Mean"/>.
/// </remarks>
public static class MeanSquaredError
{
    /// <summary><c>L = (1/n) Σᵢ (pᵢ − tᵢ)²</c>; a scalar.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> prediction, Tensor<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(MeanSquaredError), prediction, target);
        Check.Averages(nameof(MeanSquaredError), prediction.Size, $"prediction and target {prediction.Shape}");
        var d = new T[prediction.Size];
        TensorPrimitives.Subtract(prediction.Span, target.Span, d);
        return Tensor.Scalar(LaneSum.SumOfSquares<T>(d) / T.CreateTruncating(d.Length)); // one order at every vector width
    }

    /// <summary><c>(dp, dt) = (dy·2(p − t)/n, −dy·2(p − t)/n)</c>.</summary>
    public static (Tensor<T> Dprediction, Tensor<T> Dtarget) Vjp<T>(Tensor<T> prediction, Tensor<T> target, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check.SameShape(nameof(MeanSquaredError), prediction, target);
        Check.ScalarCotangent(nameof(MeanSquaredError), dy);
        Check.Averages(nameof(MeanSquaredError), prediction.Size, $"prediction and target {prediction.Shape}");
        var g = dy.ToScalar() * T.CreateTruncating(2) / T.CreateTruncating(prediction.Size);
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
