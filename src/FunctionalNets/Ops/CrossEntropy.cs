using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Ops;

/// <summary>
/// Softmax cross-entropy from logits, averaged over the items that are not ignored:
/// <c>L = −(1/N) Σᵢ log softmax(xᵢ)[tᵢ]</c> for logits x [..., V] and integer targets t [...] in <c>[0, V)</c>.
/// </summary>
/// <remarks>
/// VJP w.r.t. the logits: <c>dxᵢ = dy·(softmax(xᵢ) − onehot(tᵢ))/N</c>, zero on ignored items; the targets get no
/// gradient. Nothing is saved: the VJP recomputes the softmax from the logits, one pass of exps, which is cheaper
/// than keeping a second [..., V] buffer alive between forward and backward (the logits are usually the largest
/// activation of a language model). Special values: logits of −∞ (masked) are safe in value and gradient as long
/// as the target's logit is finite (their probability and gradient are 0); a target whose logit is −∞ gives a loss
/// of +∞. Each log softmax is <c>(xᵢ[tᵢ] − max) − log Σ exp(xᵢ − max)</c>, as accurate at any offset of the
/// logits as at 0. Items whose target equals <c>ignoreIndex</c> are left out of the mean; when every item is
/// ignored (a batch of padding) the loss is 0 with a zero gradient. With no items at all (logits [0, V]) there is no
/// mean: an error, as for <see cref="Mean"/>.
/// </remarks>
public static class CrossEntropy
{
    /// <summary><c>L = −(1/N) Σᵢ log softmax(xᵢ)[tᵢ]</c> over items whose target is not <paramref name="ignoreIndex"/>; a scalar.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> logits, Tensor<int> targets, int? ignoreIndex = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = Dims(logits, targets, ignoreIndex);
        ReadOnlySpan<T> x = logits.Span;
        ReadOnlySpan<int> t = targets.Span;
        var logp = new T[v];
        var (sum, count) = (T.Zero, 0);
        for (var r = 0; r < t.Length; r++)
        {
            if (t[r] == ignoreIndex) continue;
            Rows.LogSoftmax(x.Slice(r * v, v), logp, 1, v);
            sum -= logp[t[r]];
            count++;
        }
        return Tensor.Scalar(count == 0 ? T.Zero : sum / T.CreateTruncating(count));
    }

    /// <summary><c>dx = dy·(softmax(x) − onehot(t))/N</c>, zero on ignored items.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> logits, Tensor<int> targets, Tensor<T> dy, int? ignoreIndex = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = Dims(logits, targets, ignoreIndex);
        Check.ScalarCotangent(nameof(CrossEntropy), dy);
        var count = Counted(targets, ignoreIndex);
        var g = count == 0 ? T.Zero : dy.ToScalar() / T.CreateTruncating(count);
        return Tensor.Build<T, (Tensor<T> Logits, Tensor<int> Targets, int? IgnoreIndex, int V, T G)>(logits.Shape, (logits, targets, ignoreIndex, v, g), static (s, dx) =>
        {
            var (_, _, ignoreIndex, v, g) = s;
            ReadOnlySpan<T> x = s.Logits.Span;
            ReadOnlySpan<int> t = s.Targets.Span;
            for (var r = 0; r < t.Length; r++)
            {
                var row = dx.Slice(r * v, v);
                if (t[r] == ignoreIndex)
                {
                    row.Clear();
                    continue;
                }
                Rows.Softmax(x.Slice(r * v, v), row, 1, v);
                row[t[r]] -= T.One;
                TensorPrimitives.Multiply(row, g, row);
            }
        });
    }

    /// <summary>CrossEntropy on the tape; the targets are constants.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> logits, Tensor<int> targets, int? ignoreIndex = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(CrossEntropy), [logits], Forward(logits.Value, targets, ignoreIndex), dy => [Vjp(logits.Value, targets, dy, ignoreIndex)]);

    /// <summary>The number of items whose target is not ignored.</summary>
    private static int Counted(Tensor<int> targets, int? ignoreIndex)
    {
        var count = 0;
        foreach (var t in targets.Span)
            if (t != ignoreIndex) count++;
        return count;
    }

    /// <summary>Checks shapes and targets; returns V.</summary>
    private static int Dims<T>(Tensor<T> logits, Tensor<int> targets, int? ignoreIndex)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logits.Rank < 1 || !targets.Shape.EqualsWithoutLast(logits.Shape))
            throw new ArgumentException($"{nameof(CrossEntropy)}: targets {targets.Shape} must be the logits' shape {logits.Shape} without its last axis");
        var v = logits.Dim(-1);
        Check.Averages(nameof(CrossEntropy), targets.Size, $"logits {logits.Shape}");
        Check.InRange(nameof(CrossEntropy), "target", targets, v, ignoreIndex);
        return v;
    }
}
