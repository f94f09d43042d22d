using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>Embedding lookup: <c>y[..., :] = table[ids[...], :]</c> for a table [V, D] and integer ids [...] in <c>[0, V)</c> → y [..., D].</summary>
/// <remarks>
/// VJP: a scatter-add, <c>dtable[v] = Σ_{i : ids[i] = v} dy[i]</c>, into a zero [V, D] table, adding the rows of dy
/// in index order (so a repeated id sums its cotangents, in a fixed order). The ids get no gradient. No residuals
/// beyond the ids and the table's shape.
/// </remarks>
public static class Embedding
{
    /// <summary><c>y[..., :] = table[ids[...], :]</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> table, Tensor<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = Dims(table.Shape, ids);
        return Tensor.Build<T, Lookups<T>>(Shape.Of([.. ids.Shape, d]), new(table, ids, d), static (s, y) => Lookup.Gather(s.Rows.Span, s.Ids.Span, y, s.D));
    }

    /// <summary><c>dtable = scatter-add of the rows of dy at ids</c>, shaped like the table.</summary>
    public static Tensor<T> Vjp<T>(Shape table, Tensor<int> ids, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = Dims(table, ids);
        if (!ids.Shape.EqualsWithoutLast(dy.Shape) || dy.Shape[-1] != d)
            throw new ArgumentException($"{nameof(Embedding)}: dy {dy.Shape} must be {Shape.Of([.. ids.Shape, d])} for ids {ids.Shape} and table {table}");
        return Tensor.BuildZeroed<T, Lookups<T>>(table, new(dy, ids, d), static (s, dtable) => Lookup.ScatterAdd(s.Rows.Span, s.Ids.Span, dtable, s.D));
    }

    // A fill's inputs, passed as state so that building a result allocates no closure: rows of width D (the table, or
    // dy) and the ids.
    private readonly record struct Lookups<T>(Tensor<T> Rows, Tensor<int> Ids, int D)
        where T : unmanaged, INumber<T>;

    /// <summary>Embedding on the tape; the ids are constants.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> table, Tensor<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Net.Record<T>(nameof(Embedding), [table], Forward(table.Value, ids), dy => [Vjp(table.Shape, ids, dy)]);

    /// <summary>Checks the table is [V, D] and every id is in range; returns D.</summary>
    private static int Dims(Shape table, Tensor<int> ids)
    {
        if (table.Rank != 2)
            throw new ArgumentException($"{nameof(Embedding)}: the table must be [V, D], got {table}");
        Check.InRange(nameof(Embedding), "id", ids, table[0]);
        return table[1];
    }
}
