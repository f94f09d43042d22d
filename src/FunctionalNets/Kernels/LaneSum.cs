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
        if (n < 64 / sizeof(T)) return Short<T, TTerms>(terms, n);
        return VectorWidth.Current switch
        {
            512 => Blocks<V512<T>, T, TTerms>(terms, n),
            256 => Blocks<V256<T>, T, TTerms>(terms, n),
            _ => Blocks<V128<T>, T, TTerms>(terms, n),
        };
    }

    // n ≥ L: the full blocks into L lanes held as 64 / (sizeof(T)·Count) vectors (scalars for an element type without
    // vectors), then the partial block and the tree in scalars. (Lanes never hold −0, as they start from +0, so the
    // +0 that TensorPrimitives adds to the lanes without a partial-block term changes nothing and is left out.)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Blocks<TV, T, TTerms>(TTerms terms, int n)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged, INumber<T>
        where TTerms : struct, ILaneTerms<T>
    {
        var (lanes, vectors) = (64 / sizeof(T), 64 / sizeof(TV));
        var scratch = default(Vector512<byte>);
        var lane = (T*)&scratch;
        var (a0, a1, a2, a3) = (TV.Zero, TV.Zero, TV.Zero, TV.Zero);
        var full = n / lanes;
        // Above 8L terms, block 0 comes after the first `grouped` blocks that follow it.
        var grouped = n > 8 * lanes ? 8 * ((n - lanes) / (8 * lanes)) : -1;
        for (var k = 0; k < full; k++)
        {
            var at = (k < grouped ? k + 1 : k == grouped ? 0 : k) * lanes;
            if (!Vector128<T>.IsSupported)
            {
                for (var j = 0; j < lanes; j++) lane[j] += terms.At(at + j);
                continue;
            }
            a0 += terms.At<TV>(at);
            if (vectors == 1) continue;
            a1 += terms.At<TV>(at + TV.Count);
            if (vectors == 2) continue;
            a2 += terms.At<TV>(at + 2 * TV.Count);
            a3 += terms.At<TV>(at + 3 * TV.Count);
        }
        if (Vector128<T>.IsSupported) Spill(a0, a1, a2, a3, lane);
        for (var i = full * lanes; i < n; i++)
            lane[i - (n - lanes)] += terms.At(i);
        return Tree(lane, lanes);
    }

    /// <summary>
    /// Stores the one, two or four vectors that hold 64 bytes of lanes (the first 64 / sizeof(TV) of
    /// <paramref name="a0"/> … <paramref name="a3"/>) to <paramref name="lane"/>, in lane order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Spill<TV, T>(TV a0, TV a1, TV a2, TV a3, T* lane)
        where TV : unmanaged, ISimd<TV, T>
        where T : unmanaged
    {
        a0.Store(lane);
        if (sizeof(TV) == 64) return;
        a1.Store(lane + TV.Count);
        if (sizeof(TV) == 32) return;
        a2.Store(lane + 2 * TV.Count);
        a3.Store(lane + 3 * TV.Count);
    }

    // n < L: one short vector, or fewer than L/4 terms summed from the last.
    private static T Short<T, TTerms>(TTerms terms, int n)
        where T : unmanaged, INumber<T>
        where TTerms : struct, ILaneTerms<T>
    {
        var lanes = 64 / sizeof(T);
        var w = n >= lanes / 2 ? lanes / 2 : n >= lanes / 4 ? lanes / 4 : 0;
        if (w == 0)
        {
            var sum = T.Zero;
            for (var i = n - 1; i >= 0; i--) sum += terms.At(i);
            return sum;
        }
        var scratch = default(Vector512<byte>);
        var lane = (T*)&scratch;
        for (var j = 0; j < w; j++)
            lane[j] = n == w ? terms.At(j) : terms.At(j) + (j >= 2 * w - n ? terms.At(n - w + j) : T.Zero);
        return Tree(lane, w);
    }

    /// <summary>
    /// The <paramref name="count"/> (a power of two) lanes combined neighbours pairwise, level by level:
    /// ((l₀+l₁)+(l₂+l₃))+((l₄+l₅)+(l₆+l₇)) for eight lanes.
    /// </summary>
    public static T Tree<T>(T* lane, int count)
        where T : unmanaged, INumber<T> =>
        count switch
        {
            1 => lane[0],
            2 => lane[0] + lane[1],
            4 => Four(lane),
            8 => Eight(lane),
            16 => Eight(lane) + Eight(lane + 8),
            _ => Tree(lane, count / 2) + Tree(lane + count / 2, count / 2), // 32 and more: element types under 4 bytes
        };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Four<T>(T* l)
        where T : unmanaged, INumber<T> => (l[0] + l[1]) + (l[2] + l[3]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Eight<T>(T* l)
        where T : unmanaged, INumber<T> => Four(l) + Four(l + 4);

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
