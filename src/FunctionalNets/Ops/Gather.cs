using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Selects rows of x along axis 0 by integer ids: <c>y[i…, j…] = x[ids[i…], j…]</c>, so
/// <c>y.Shape = ids.Shape ++ x.Shape[1..]</c> (an embedding lookup when x is a [vocab, d] table).
/// </summary>
/// <remarks>
/// VJP: <c>dx[r] = Σ_{p : ids[p] = r} dy[p]</c>, a scatter-add run in the ids' row-major order, so a row picked
/// more than once sums its cotangents in a fixed order. The ids get no cotangent (they are not differentiable).
/// Every id must lie in <c>[0, x.Shape[0])</c>; the error names the id, its position in ids and the range.
/// </remarks>
public static class Gather
{
    /// <summary><c>y = x[ids]</c> along axis 0.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, Tensor<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var row = RowSize(x.Shape, ids);
        return Tensor.Build<T>(Shape.Of([.. ids.Shape, .. x.Shape.Dims[1..]]), y => Lookup.Gather(x.Span, ids.Span, y, row));
    }

    /// <summary><c>dx = scatter_add(dy, ids)</c> into zeros of shape <paramref name="x"/>, in index order.</summary>
    public static Tensor<T> Vjp<T>(Shape x, Tensor<int> ids, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var row = RowSize(x, ids);
        var expected = Shape.Of([.. ids.Shape, .. x.Dims[1..]]);
        if (dy.Shape != expected)
            throw new ArgumentException($"{nameof(Gather)}: dy shape {dy.Shape} does not match the output {expected} (x {x}, ids {ids.Shape})");
        return Tensor.BuildZeroed<T>(x, dx => Lookup.ScatterAdd(dy.Span, ids.Span, dx, row));
    }

    /// <summary>Gather on the tape; the ids are constants.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, Tensor<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Unary(nameof(Gather), x, v => Forward(v, ids), (v, _, dy) => Vjp(v.Shape, ids, dy));

    /// <summary>The size of one row of x (the axes after 0), after checking that x has rows and every id picks one.</summary>
    private static int RowSize(Shape x, Tensor<int> ids)
    {
        if (x.Rank < 1)
            throw new ArgumentException($"{nameof(Gather)}: x needs rank ≥ 1 to select rows, got shape {x}");
        Check.InRange(nameof(Gather), "id", ids, x[0]);
        return x.SizeOf(1, x.Rank);
    }
}
