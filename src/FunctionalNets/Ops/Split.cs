using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Cuts a tensor along one axis into consecutive pieces of the given sizes: piece k is
/// <c>x[…, oₖ : oₖ + sizes[k], …]</c> with <c>oₖ = Σ_{j&lt;k} sizes[j]</c>; the sizes must add up to
/// <c>x.Shape[axis]</c>. The inverse of <see cref="Concat"/>.
/// </summary>
/// <remarks>
/// VJP: <c>dx = concat(dy₀, dy₁, …)</c> along the axis, with zeros for pieces that got no cotangent.
/// On the tape each piece is its own node over x whose pullback zero-pads that piece's cotangent to x's shape
/// (<see cref="Slice.Vjp{T}"/>), and the tape adds the padded pieces where x is consumed. A piece the loss never
/// reads costs nothing backwards; n pieces that all get cotangents cost n x-sized buffers and n − 1 additions,
/// against one buffer for a single multi-output node, which the tape (one output per node) does not have.
/// </remarks>
public static class Split
{
    /// <summary>The pieces of <paramref name="x"/> along <paramref name="axis"/>, of lengths <paramref name="sizes"/>.</summary>
    public static Tensor<T>[] Forward<T>(Tensor<T> x, int[] sizes, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, offsets) = Offsets(x.Shape, sizes, axis);
        return [.. sizes.Select((n, k) => Slice.Band(x, a, offsets[k], n))];
    }

    /// <summary>
    /// The pieces of <paramref name="x"/> along <paramref name="axis"/> in chunks of <paramref name="chunk"/>
    /// entries, the last one shorter when the length is not a multiple (PyTorch's <c>split</c> with an int).
    /// </summary>
    public static Tensor<T>[] Forward<T>(Tensor<T> x, int chunk, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => Forward(x, ChunkSizes(x.Shape, chunk, axis), axis);

    /// <summary><c>dx = concat(dys, axis)</c> for input shape <paramref name="x"/>; a null cotangent stands for zeros.</summary>
    public static Tensor<T> Vjp<T>(Shape x, int[] sizes, int axis, Tensor<T>?[] dys)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (a, _) = Offsets(x, sizes, axis);
        if (dys.Length != sizes.Length)
            throw new ArgumentException($"{nameof(Split)}: {dys.Length} cotangents for {sizes.Length} pieces of {x}");
        var pieces = new Tensor<T>[sizes.Length];
        for (var k = 0; k < sizes.Length; k++)
        {
            var shape = x.WithDim(a, sizes[k]);
            if (dys[k] is { } dy && dy.Shape != shape)
                throw new ArgumentException($"{nameof(Split)}: cotangent {k} has shape {dy.Shape}, piece {k} of {x} has {shape}");
            pieces[k] = dys[k] ?? Tensor.Zeros<T>(shape);
        }
        return Concat.Forward(pieces, a);
    }

    /// <summary>Split on the tape: one node per piece (see the remarks).</summary>
    public static Net<T, Var<T>[]> Apply<T>(Var<T> x, int[] sizes, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => new(s =>
        {
            var (a, offsets) = Offsets(x.Shape, sizes, axis);
            var pieces = Forward(x.Value, sizes, a);
            var vars = new Var<T>[pieces.Length];
            for (var k = 0; k < pieces.Length; k++)
            {
                var (start, end) = (offsets[k], offsets[k] + sizes[k]);
                (vars[k], s) = Net.Record(nameof(Split), [x], pieces[k], dy => [Slice.Vjp(x.Shape, a, start, end, dy)]).Run(s);
            }
            return (vars, s);
        });

    /// <summary>Split into chunks of <paramref name="chunk"/> entries on the tape.</summary>
    public static Net<T, Var<T>[]> Apply<T>(Var<T> x, int chunk, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => Apply(x, ChunkSizes(x.Shape, chunk, axis), axis);

    /// <summary>
    /// The sizes of the chunks of <paramref name="chunk"/> entries that cut axis <paramref name="axis"/> of
    /// <paramref name="x"/>: ⌈n/chunk⌉ pieces, all full but the last (one empty piece for an empty axis).
    /// </summary>
    public static int[] ChunkSizes(Shape x, int chunk, int axis)
    {
        var n = x[x.Axis(axis, nameof(Split))];
        if (chunk <= 0)
            throw new ArgumentException($"{nameof(Split)}: chunk size {chunk} must be positive, axis {axis} of {x}");
        var count = Math.Max(1, (n + chunk - 1) / chunk);
        return [.. Enumerable.Range(0, count).Select(i => Math.Min(chunk, n - i * chunk))];
    }

    /// <summary>The normalised axis and each piece's start, or an error naming the sizes and the shape.</summary>
    private static (int Axis, int[] Offsets) Offsets(Shape x, int[] sizes, int axis)
    {
        var a = x.Axis(axis, nameof(Split));
        if (sizes.Any(n => n < 0) || sizes.Sum() != x[a])
            throw new ArgumentException($"{nameof(Split)}: sizes [{string.Join(", ", sizes)}] must be non-negative and add up to {x[a]}, axis {axis} of {x}");
        var offsets = new int[sizes.Length];
        for (var k = 1; k < sizes.Length; k++) offsets[k] = offsets[k - 1] + sizes[k - 1];
        return (a, offsets);
    }
}
