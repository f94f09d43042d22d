using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>Row lookups in a table viewed as <c>[rows, row]</c>; the ids are already checked to be in range.</summary>
internal static class Lookup
{
    /// <summary><c>y[p] = table[ids[p]]</c>, one row per id.</summary>
    public static void Gather<T>(ReadOnlySpan<T> table, ReadOnlySpan<int> ids, Span<T> y, int row)
    {
        for (var p = 0; p < ids.Length; p++)
            table.Slice(ids[p] * row, row).CopyTo(y.Slice(p * row, row));
    }

    /// <summary><c>dx[ids[p]] += dy[p]</c> for p in increasing order, so repeated ids sum in a fixed order.</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> ids, Span<T> dx, int row)
        where T : INumber<T>
    {
        for (var p = 0; p < ids.Length; p++)
        {
            var target = dx.Slice(ids[p] * row, row);
            TensorPrimitives.Add(target, dy.Slice(p * row, row), target);
        }
    }
}
