using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Two axes exchanged, PyTorch's <c>transpose(x, d0, d1)</c> and NumPy's <c>swapaxes</c>:
/// <c>y[…, j, …, i, …] = x[…, i, …, j, …]</c>, so <c>y.Shape</c> is x's with dimensions d0 and d1 swapped.
/// </summary>
/// <remarks>
/// VJP: <c>dx = swapaxes(dy, d0, d1)</c> (the swap is its own inverse); nothing is kept. Negative axes count from
/// the end; d0 = d1 copies x. It is <see cref="Transpose"/> with the permutation that exchanges the two axes.
/// </remarks>
public static class SwapAxes
{
    /// <summary><c>y = swapaxes(x, d0, d1)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, int d0, int d1)
        where T : unmanaged, IFloatingPointIeee754<T> => Transpose.Permuted(x, Swap(x.Shape, d0, d1));

    /// <summary><c>dx = swapaxes(dy, d0, d1)</c>.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> dy, int d0, int d1)
        where T : unmanaged, IFloatingPointIeee754<T> => Transpose.Permuted(dy, Swap(dy.Shape, d0, d1));

    /// <summary>SwapAxes on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, int d0, int d1)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(SwapAxes), [x], Forward(x.Value, d0, d1), dy => [Vjp(dy, d0, d1)]);

    private static int[] Swap(Shape shape, int d0, int d1)
    {
        var (a, b) = (shape.Axis(d0, nameof(SwapAxes)), shape.Axis(d1, nameof(SwapAxes)));
        var perm = Enumerable.Range(0, shape.Rank).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return perm;
    }
}
