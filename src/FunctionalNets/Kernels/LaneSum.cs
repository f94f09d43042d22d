using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FunctionalNets.Kernels;

/// <summary>
/// Sums, sums of squares and dot products of float or double spans in one fixed order on every vector width: the
/// order TensorPrimitives uses on an AVX-512 machine, which is what these kernels used before they had narrower
/// bodies, so those results keep their bits.
/// </summary>
/// <remarks>
/// The order, for n terms tᵢ and L = 64 bytes of lanes (16 floats or 8 doubles):
/// <list type="bullet">
/// <item>n ≥ L: lane j (0 ≤ j &lt; L), starting from +0, adds the blocks' terms t[b·L + j] for the full blocks b in
/// order 0, 1, 2 … — except that above 8L terms block 0 comes after the first 8·⌊(n − L)/8L⌋ blocks that follow it
/// — and then the partial block's terms t[i], i ≥ L·⌊n/L⌋, go to lane i − (n − L). The L lanes then combine in a
/// pairwise tree of neighbours: ((l₀+l₁)+(l₂+l₃))+… .</item>
/// <item>L/4 ≤ n &lt; L: w lanes, w the largest of L/2, L/4 not above n: lane j is t[j], plus t[n − w + j] for the
/// lanes j ≥ 2w − n (else plus +0, unless n = w), then the same tree.</item>
/// <item>n &lt; L/4: ((0 + t[n−1]) + t[n−2]) + … + t[0].</item>
/// </list>
/// A 512-bit body keeps the L lanes in one accumulator, a 256-bit body in two and a 128-bit body in four, each
/// lane adding the same terms in the same order, so the width never changes a bit; element types without vector
/// support keep the same lanes as scalars. A term of a dot product is the rounded product xᵢ·yᵢ (no fused
/// multiply-add), as TensorPrimitives computes it.
/// </remarks>
internal static unsafe class LaneSum
{
    /// <summary>Σ xᵢ.</summary>
    public static T Sum<T>(ReadOnlySpan<T> x)
        where T : unmanaged, INumber<T>
    {
        fixed (T* px = x)
            return Run<T, Terms<T>>(new(px), x.Length);
    }

    /// <summary>Σ xᵢ², each square rounded.</summary>
    public static T SumOfSquares<T>(ReadOnlySpan<T> x)
        where T : unmanaged, INumber<T>
    {
        fixed (T* px = x)
            return Run<T, Squares<T>>(new(px), x.Length);
    }

    /// <summary>Σ xᵢ·yᵢ, each product rounded.</summary>
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, INumber<T>
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"LaneSum.Dot: lengths {x.Length} and {y.Length} differ");
        fixed (T* px = x, py = y)
            return Run<T, Products<T>>(new(px, py), x.Length);
    }

    private static T Run<T, TTerms>(TTerms terms, int n)
        where T : unmanaged, INumber<T>
        where TTerms : struct, ILaneTerms<T>
    {
        var lanes = 64 / sizeof(T);
        if (n < lanes) return Short<T, TTerms>(terms, n, lanes);
        if (!Vector128<T>.IsSupported) return Blocks<T, TTerms, ScalarLanes<T>>(terms, n, lanes, default);
        return VectorWidth.Current switch
        {
            512 => Blocks<T, TTerms, Accumulators<V512<T>, T>>(terms, n, lanes, new(V512<T>.Zero)),
            256 => Blocks<T, TTerms, Accumulators<V256<T>, T>>(terms, n, lanes, new(V256<T>.Zero)),
            _ => Blocks<T, TTerms, Accumulators<V128<T>, T>>(terms, n, lanes, new(V128<T>.Zero)),
        };
    }

    // n ≥ L: the full blocks into the lanes, then the partial block and the tree in scalars. (Lanes never hold −0, as
    // they start from +0, so the +0 that TensorPrimitives adds to the lanes without a partial-block term changes
    // nothing and is left out.)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Blocks<T, TTerms, TLanes>(TTerms terms, int n, int lanes, TLanes acc)
        where T : unmanaged, INumber<T>
        where TTerms : struct, ILaneTerms<T>
        where TLanes : struct, ILanes<T>
    {
        Span<T> lane = stackalloc T[lanes];
        lane.Clear();
        var full = n / lanes;
        if (n > 8 * lanes)
        {
            var grouped = 8 * ((n - lanes) / (8 * lanes));
            for (var b = 1; b <= grouped; b++) acc.Add(terms, b * lanes, lane);
            acc.Add(terms, 0, lane);
            for (var b = grouped + 1; b < full; b++) acc.Add(terms, b * lanes, lane);
        }
        else
            for (var b = 0; b < full; b++) acc.Add(terms, b * lanes, lane);
        acc.CopyTo(lane);
        for (var i = full * lanes; i < n; i++)
            lane[i - (n - lanes)] += terms.At(i);
        return Tree(lane);
    }

    // n < L: one short vector, or fewer than L/4 terms summed from the last.
    private static T Short<T, TTerms>(TTerms terms, int n, int lanes)
        where T : unmanaged, INumber<T>
        where TTerms : struct, ILaneTerms<T>
    {
        var w = n >= lanes / 2 ? lanes / 2 : n >= lanes / 4 ? lanes / 4 : 0;
        if (w == 0)
        {
            var sum = T.Zero;
            for (var i = n - 1; i >= 0; i--) sum += terms.At(i);
            return sum;
        }
        Span<T> lane = stackalloc T[w];
        for (var j = 0; j < w; j++)
            lane[j] = n == w ? terms.At(j) : terms.At(j) + (j >= 2 * w - n ? terms.At(n - w + j) : T.Zero);
        return Tree(lane);
    }

    /// <summary>Neighbours pairwise, level by level: ((l₀+l₁)+(l₂+l₃))+((l₄+l₅)+(l₆+l₇)) for eight lanes. Overwrites the lanes.</summary>
    public static T Tree<T>(Span<T> lane)
        where T : INumber<T>
    {
        for (var w = lane.Length / 2; w >= 1; w /= 2)
            for (var j = 0; j < w; j++)
                lane[j] = lane[2 * j] + lane[2 * j + 1];
        return lane[0];
    }

    /// <summary>Where the full blocks accumulate: L lanes, each adding its terms in block order.</summary>
    internal interface ILanes<T>
        where T : unmanaged
    {
        /// <summary>Adds the block of terms that starts at term <paramref name="at"/>, lane by lane.</summary>
        void Add<TTerms>(TTerms terms, int at, Span<T> lane)
            where TTerms : struct, ILaneTerms<T>;

        /// <summary>Leaves the lanes' sums in <paramref name="lane"/>.</summary>
        void CopyTo(Span<T> lane);
    }

    /// <summary>The 64 bytes of lanes as one, two or four vectors (the JIT drops the unused ones).</summary>
    internal struct Accumulators<TV, T>(TV zero) : ILanes<T>
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged
    {
        private TV a0 = zero, a1 = zero, a2 = zero, a3 = zero;

        private static int Vectors => 64 / sizeof(T) / TV.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add<TTerms>(TTerms terms, int at, Span<T> lane)
            where TTerms : struct, ILaneTerms<T>
        {
            a0 += terms.At<TV>(at);
            if (Vectors == 1) return;
            a1 += terms.At<TV>(at + TV.Count);
            if (Vectors == 2) return;
            a2 += terms.At<TV>(at + 2 * TV.Count);
            a3 += terms.At<TV>(at + 3 * TV.Count);
        }

        public readonly void CopyTo(Span<T> lane)
        {
            for (var j = 0; j < lane.Length; j++)
            {
                var v = (j / TV.Count) switch { 0 => a0, 1 => a1, 2 => a2, _ => a3 };
                lane[j] = v[j % TV.Count];
            }
        }
    }

    /// <summary>The lanes as scalars, for element types without vector support.</summary>
    private readonly struct ScalarLanes<T> : ILanes<T>
        where T : unmanaged, INumber<T>
    {
        public void Add<TTerms>(TTerms terms, int at, Span<T> lane)
            where TTerms : struct, ILaneTerms<T>
        {
            for (var j = 0; j < lane.Length; j++) lane[j] += terms.At(at + j);
        }

        public void CopyTo(Span<T> lane)
        {
        }
    }

    /// <summary>The terms being summed: t(i) as a scalar, and lanes t(i) … t(i + Count − 1) as a vector.</summary>
    internal interface ILaneTerms<T>
        where T : unmanaged
    {
        T At(nint i);

        TV At<TV>(nint i)
            where TV : unmanaged, ISimd<TV, T>;
    }

    private readonly struct Terms<T>(T* x) : ILaneTerms<T>
        where T : unmanaged, INumber<T>
    {
        public T At(nint i) => x[i];

        public TV At<TV>(nint i)
            where TV : unmanaged, ISimd<TV, T> => TV.Load(x + i);
    }

    private readonly struct Squares<T>(T* x) : ILaneTerms<T>
        where T : unmanaged, INumber<T>
    {
        public T At(nint i) => x[i] * x[i];

        public TV At<TV>(nint i)
            where TV : unmanaged, ISimd<TV, T>
        {
            var v = TV.Load(x + i);
            return v * v;
        }
    }

    private readonly struct Products<T>(T* x, T* y) : ILaneTerms<T>
        where T : unmanaged, INumber<T>
    {
        public T At(nint i) => x[i] * y[i];

        public TV At<TV>(nint i)
            where TV : unmanaged, ISimd<TV, T> => TV.Load(x + i) * TV.Load(y + i);
    }
}
