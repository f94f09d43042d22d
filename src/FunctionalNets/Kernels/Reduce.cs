using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>Reductions with a fixed order: every output accumulates its terms in the input's row-major order.</summary>
internal static class Reduce
{
    /// <summary>
    /// Σ xᵢ² in double, in a fixed order on every machine: lane j (0…7) accumulates the elements i ≡ j (mod 8)
    /// in index order, then the lanes combine as ((l₀+l₁)+(l₂+l₃))+((l₄+l₅)+(l₆+l₇)). The 512-, 256- and 128-bit
    /// bodies hold the eight lanes in one, two or four vectors and the scalar tail adds to the same lanes, so the
    /// bits do not depend on the vector width.
    /// </summary>
    public static unsafe double SumOfSquares<T>(ReadOnlySpan<T> x)
        where T : unmanaged, INumber<T>
    {
        var lane = stackalloc double[8];
        new Span<double>(lane, 8).Clear();
        fixed (T* p = x)
        {
            var i = typeof(T) != typeof(float) && typeof(T) != typeof(double) ? 0 : VectorWidth.Current switch
            {
                512 => SquaresInto<V512<double>, T>(p, x.Length, lane),
                256 => SquaresInto<V256<double>, T>(p, x.Length, lane),
                _ => SquaresInto<V128<double>, T>(p, x.Length, lane),
            };
            for (; i < x.Length; i++)
            {
                var v = double.CreateTruncating(p[i]);
                lane[i & 7] += v * v;
            }
        }
        return LaneSum.Tree(lane, 8);
    }

    // The whole blocks of eight into the lanes (one, two or four vectors); returns where the tail starts.
    private static unsafe int SquaresInto<TV, T>(T* x, int n, double* lane)
        where TV : unmanaged, ISimd<TV, double>
        where T : unmanaged
    {
        var squares = new WidenedSquares<T>(x);
        var (a0, a1, a2, a3) = (TV.Zero, TV.Zero, TV.Zero, TV.Zero);
        var i = 0;
        for (; i <= n - 8; i += 8)
        {
            a0 += squares.At<TV>(i);
            if (sizeof(TV) == 64) continue;
            a1 += squares.At<TV>(i + TV.Count);
            if (sizeof(TV) == 32) continue;
            a2 += squares.At<TV>(i + 2 * TV.Count);
            a3 += squares.At<TV>(i + 3 * TV.Count);
        }
        LaneSum.Spill(a0, a1, a2, a3, lane);
        return i;
    }

    /// <summary>xᵢ² in double, x float or double.</summary>
    private readonly unsafe struct WidenedSquares<T>(T* x) : LaneSum.ILaneTerms<double>
        where T : unmanaged
    {
        public double At(nint i)
        {
            var v = typeof(T) == typeof(float) ? ((float*)x)[i] : ((double*)x)[i];
            return v * v;
        }

        public TV At<TV>(nint i)
            where TV : unmanaged, ISimd<TV, double>
        {
            var v = typeof(T) == typeof(float) ? TV.LoadWidened((float*)x + i) : TV.Load((double*)x + i);
            return v * v;
        }
    }

    /// <summary>
    /// Adds every element of the contiguous x (over <paramref name="dims"/>) into y at its strided offset (0 on the
    /// summed axes). Each element of y accumulates its terms one by one in x's row-major order, so the result
    /// does not depend on vector width or thread count.
    /// </summary>
    public static void SumInto<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<int> dims, ReadOnlySpan<int> yStrides)
        where T : INumber<T>
    {
        var n = dims[^1];
        var yRow = yStrides[^1] != 0;
        var walk = new Odometer(dims, yStrides, yStrides, stackalloc int[dims.Length]);
        for (var row = 0; row < x.Length; row += n, walk.Next())
        {
            var xr = x.Slice(row, n);
            if (yRow)
            {
                // Kept inner axis: one add per y element per row, vectorised across y.
                var yr = y.Slice(walk.Offset1, n);
                TensorPrimitives.Add(yr, xr, yr);
            }
            else
            {
                // Summed inner axis: a sequential left fold, not TensorPrimitives.Sum (whose tree depends on the vector width).
                var acc = y[walk.Offset1];
                foreach (var v in xr) acc += v;
                y[walk.Offset1] = acc;
            }
        }
    }

    /// <summary>
    /// For each (o, i) of an [outer, n, inner] view of x (n ≥ 1): the largest x[o, k, i] and the FIRST k where it
    /// occurs. A NaN counts as larger than any number, so a slice with a NaN gives NaN at its first NaN.
    /// </summary>
    public static void MaxAlong<T>(ReadOnlySpan<T> x, Span<T> max, Span<int> argmax, int outer, int n, int inner)
        where T : IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        {
            var best = max.Slice(o * inner, inner);
            var at = argmax.Slice(o * inner, inner);
            x.Slice(o * n * inner, inner).CopyTo(best);
            at.Clear();
            for (var k = 1; k < n; k++)
            {
                var xk = x.Slice((o * n + k) * inner, inner);
                for (var i = 0; i < inner; i++)
                    // Strictly greater, so a tie keeps the earlier index.
                    if (xk[i] > best[i] || (T.IsNaN(xk[i]) && !T.IsNaN(best[i])))
                        (best[i], at[i]) = (xk[i], k);
            }
        }
    }

    /// <summary>Writes dy[o, i] to dx[o, argmax[o, i], i] of a zeroed [outer, n, inner] buffer (the VJP of <see cref="MaxAlong"/>).</summary>
    public static void ScatterAlong<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, int outer, int n, int inner)
    {
        for (var o = 0; o < outer; o++)
            for (var i = 0; i < inner; i++)
                dx[(o * n + argmax[o * inner + i]) * inner + i] = dy[o * inner + i];
    }
}
