using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Axis permutation <c>y[i_perm[0], …, i_perm[r−1]] = x[i_0, …, i_{r−1}]</c>: output axis k is input axis
/// <c>perm[k]</c>, so <c>y.Shape[k] = x.Shape[perm[k]]</c>. Without a permutation it swaps the last two axes
/// (a matrix transpose, batched over leading axes).
/// </summary>
/// <remarks>
/// VJP: <c>dx = transpose(dy, perm⁻¹)</c>, a copy; nothing is kept but the permutation. Negative entries of
/// <c>perm</c> count from the end. The copy merges axes that stay neighbours, so swapping the last two axes runs
/// as tiled matrix transposes and the head split <c>[B,T,H,D] → [B,H,T,D]</c> (<c>perm = [0, 2, 1, 3]</c>) as
/// contiguous runs of D elements.
/// </remarks>
public static class Transpose
{
    /// <summary><c>y = transpose(x, perm)</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, params int[] perm)
        where T : unmanaged, IFloatingPointIeee754<T> => Permuted(x, Normalize(x.Shape, perm));

    /// <summary><c>y = xᵀ</c> over the last two axes: <c>[…, n, m] → […, m, n]</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Permuted(x, SwapLast(x.Shape));

    /// <summary><c>dx = transpose(dy, perm⁻¹)</c>, where <paramref name="perm"/> is the forward permutation.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> dy, params int[] perm)
        where T : unmanaged, IFloatingPointIeee754<T> => Permuted(dy, Inverse(Normalize(dy.Shape, perm)));

    /// <summary><c>dx = dyᵀ</c> over the last two axes (the swap is its own inverse).</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T> => Permuted(dy, SwapLast(dy.Shape));

    /// <summary>Transpose by <paramref name="perm"/> on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, params int[] perm)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(Transpose), [x], Forward(x.Value, perm), dy => [Vjp(dy, perm)]);

    /// <summary>Swap of the last two axes on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(Transpose), [x], Forward(x.Value), dy => [Vjp(dy)]);

    /// <summary>The permutation that moves <paramref name="axis"/> (already normalised) to the end, keeping the others in order.</summary>
    internal static int[] MoveToEnd(int rank, int axis) => [.. Enumerable.Range(0, rank).Where(a => a != axis), axis];

    /// <summary><c>inv[perm[k]] = k</c>.</summary>
    internal static int[] Inverse(int[] perm)
    {
        var inv = new int[perm.Length];
        for (var k = 0; k < perm.Length; k++) inv[perm[k]] = k;
        return inv;
    }

    /// <summary>Copies <paramref name="x"/> with its axes permuted by a validated, non-negative permutation.</summary>
    internal static Tensor<T> Permuted<T>(Tensor<T> x, int[] perm)
        where T : unmanaged, INumber<T>
    {
        var dims = x.Shape.ToArray();
        var shape = Shape.Of([.. perm.Select(a => dims[a])]);
        return Tensor.Build<T>(shape, y => Permute.Run(x.Span, y, dims, perm));
    }

    private static int[] SwapLast(Shape shape)
    {
        if (shape.Rank < 2)
            throw new ArgumentException($"{nameof(Transpose)}: swapping the last two axes needs rank ≥ 2, got shape {shape}");
        var perm = Enumerable.Range(0, shape.Rank).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return perm;
    }

    private static int[] Normalize(Shape shape, int[] perm)
    {
        if (perm.Length != shape.Rank)
            throw new ArgumentException($"{nameof(Transpose)}: permutation [{string.Join(", ", perm)}] has {perm.Length} axes, shape {shape} has {shape.Rank}");
        var axes = Array.ConvertAll(perm, a => shape.Axis(a, nameof(Transpose)));
        if (axes.Distinct().Count() != axes.Length)
            throw new ArgumentException($"{nameof(Transpose)}: [{string.Join(", ", perm)}] is not a permutation of the axes of {shape} (an axis repeats)");
        return axes;
    }
}
