using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// The <c>k</c> largest entries along one axis, largest first, with their positions:
/// <c>values[…, j, …] = x[…, indices[…, j, …], …]</c> for <c>j &lt; k</c>; both results have x's shape with the
/// axis cut to <c>k</c>.
/// </summary>
/// <remarks>
/// Order: descending by value, equal values by ascending index, NaN above every number (as in
/// <see cref="Max"/> and <see cref="ArgMax"/>), and −0 equal to +0. Not differentiable: it is offered for
/// inference (top-k sampling, accuracy at k), with no VJP and no tape lift. <c>k</c> must lie in
/// <c>[0, x.Shape[axis]]</c>; the errors name the op, k and the shape.
/// </remarks>
public static class TopK
{
    /// <summary>The <paramref name="k"/> largest entries along <paramref name="axis"/> (the last by default) and their indices.</summary>
    public static (Tensor<T> Values, Tensor<int> Indices) Forward<T>(Tensor<T> x, int k, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = x.Shape.Axis(axis, nameof(TopK));
        var n = x.Shape[a];
        if (k < 0 || k > n)
            throw new ArgumentException($"{nameof(TopK)}: k = {k} must lie in [0, {n}] for axis {axis} of shape {x.Shape}");
        var (outer, inner) = (x.Shape.SizeOf(0, a), x.Shape.SizeOf(a + 1, x.Rank));
        var shape = x.Shape.WithDim(a, k);
        var indices = Tensor.Build<int>(shape, ids =>
        {
            var order = new int[n];
            var lane = new T[n];
            for (var o = 0; o < outer; o++)
                for (var i = 0; i < inner; i++)
                {
                    for (var j = 0; j < n; j++) (lane[j], order[j]) = (x.Span[(o * n + j) * inner + i], j);
                    // Greater first, equal values by index: a total order, so the sort's result does not depend on its algorithm.
                    order.AsSpan().Sort((p, q) => Above(lane[q], lane[p]) ? 1 : Above(lane[p], lane[q]) ? -1 : p.CompareTo(q));
                    for (var j = 0; j < k; j++) ids[(o * k + j) * inner + i] = order[j];
                }
        });
        var values = Tensor.Build<T>(shape, v =>
        {
            var ids = indices.Span;
            for (var o = 0; o < outer; o++)
                for (var j = 0; j < k; j++)
                    for (var i = 0; i < inner; i++)
                        v[(o * k + j) * inner + i] = x.Span[(o * n + ids[(o * k + j) * inner + i]) * inner + i];
        });
        return (values, indices);
    }

    // Whether a ranks strictly above b: a NaN above any number, otherwise the larger value.
    private static bool Above<T>(T a, T b)
        where T : IFloatingPointIeee754<T> => T.IsNaN(a) ? !T.IsNaN(b) : a > b;
}
