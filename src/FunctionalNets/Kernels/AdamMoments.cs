using System.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>Adam's constants for one update, rounded to T once: β₁, 1 − β₁, β₂, 1 − β₂, ε and the bias corrections 1 − β₁ᵗ, 1 − β₂ᵗ.</summary>
internal readonly record struct AdamConstants<T>(T Beta1, T Keep1, T Beta2, T Keep2, T Eps, T Correction1, T Correction2);

/// <summary>
/// Adam's moment update and scaled step for one tensor in a single pass over 1,024-element chunks, spread over
/// threads: <c>m′ = m·β₁ + g·(1 − β₁)</c>, <c>v′ = v·β₂ + (g·g)·(1 − β₂)</c>, <c>u = (m′/(√(v′/(1 − β₂ᵗ)) + ε))/(1 − β₁ᵗ)</c>,
/// each operation rounded in that order (no fused multiply-add), so the bits are those of the same formula
/// evaluated one operation at a time over whole tensors. <see cref="StepScale{T}"/> and <see cref="StepDecayScale{T}"/>
/// finish each element with AdamW's decay and learning rate in the same pass.
/// </summary>
internal static unsafe class AdamMoments
{
    private const int Chunk = 1024;

    /// <summary>The moments and Adam's step <c>u</c>, written to <paramref name="m2"/>, <paramref name="v2"/> and <paramref name="u"/>.</summary>
    public static void Step<T>(ReadOnlySpan<T> m, ReadOnlySpan<T> v, ReadOnlySpan<T> g, AdamConstants<T> k, Span<T> m2, Span<T> v2, Span<T> u)
        where T : unmanaged, IFloatingPointIeee754<T> => Run(m, v, g, k, default(AdamStep<T>), m2, v2, u);

    /// <summary>The moments and <c>u·scale</c>: AdamW's chain on a parameter it does not decay.</summary>
    public static void StepScale<T>(ReadOnlySpan<T> m, ReadOnlySpan<T> v, ReadOnlySpan<T> g, AdamConstants<T> k, T scale,
        Span<T> m2, Span<T> v2, Span<T> u)
        where T : unmanaged, IFloatingPointIeee754<T> => Run(m, v, g, k, new DecayThenScale<T>(null, T.Zero, scale), m2, v2, u);

    /// <summary>
    /// The moments and <c>((p·wd) + u)·scale</c> with <c>p</c> the weights <paramref name="decayed"/>: AdamW's chain
    /// (decayed weights, then the learning rate) on Adam's step <c>u</c>.
    /// </summary>
    public static void StepDecayScale<T>(ReadOnlySpan<T> m, ReadOnlySpan<T> v, ReadOnlySpan<T> g, AdamConstants<T> k,
        ReadOnlySpan<T> decayed, T weightDecay, T scale, Span<T> m2, Span<T> v2, Span<T> u)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (decayed.Length != g.Length)
            throw new ArgumentException($"AdamMoments: {decayed.Length} decayed weights for {g.Length} gradients");
        fixed (T* p = decayed)
            Run(m, v, g, k, new DecayThenScale<T>(p, weightDecay, scale), m2, v2, u);
    }

    private static void Run<T, TFinish>(ReadOnlySpan<T> m, ReadOnlySpan<T> v, ReadOnlySpan<T> g, AdamConstants<T> k, TFinish finish,
        Span<T> m2, Span<T> v2, Span<T> u)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFinish : struct, IFinish<T>
    {
        var n = g.Length;
        if (m.Length != n || v.Length != n || m2.Length != n || v2.Length != n || u.Length != n)
            throw new ArgumentException($"AdamMoments: moments of {m.Length} and {v.Length}, outputs of {m2.Length}, {v2.Length} and {u.Length} for {n} gradients");
        fixed (T* pm = m, pv = v, pg = g, pm2 = m2, pv2 = v2, pu = u)
            Partition.For((n + Chunk - 1) / Chunk, 8L * Chunk, new Chunks<T, TFinish>(pm, pv, pg, pm2, pv2, pu, n, k, finish));
    }

    /// <summary>What becomes of Adam's step <c>u</c> at element <c>i</c> before it is stored: scalar and SIMD bodies of the same operations.</summary>
    private interface IFinish<T>
        where T : unmanaged
    {
        T Invoke(T u, int i);

        TV Invoke<TV>(TV u, int i)
            where TV : unmanaged, ISimd<TV, T>;
    }

    /// <summary><c>u</c> itself (ScaleByAdam).</summary>
    private readonly struct AdamStep<T> : IFinish<T>
        where T : unmanaged
    {
        public T Invoke(T u, int i) => u;

        public TV Invoke<TV>(TV u, int i)
            where TV : unmanaged, ISimd<TV, T> => u;
    }

    /// <summary><c>((p[i]·wd) + u)·scale</c>, or <c>u·scale</c> when <c>p</c> is null.</summary>
    private readonly struct DecayThenScale<T>(T* p, T wd, T scale) : IFinish<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T Invoke(T u, int i) => (p is null ? u : p[i] * wd + u) * scale;

        public TV Invoke<TV>(TV u, int i)
            where TV : unmanaged, ISimd<TV, T> =>
            (p is null ? u : TV.Load(p + i) * TV.Create(wd) + u) * TV.Create(scale);
    }

    /// <summary>Chunks [start, end): a SIMD body of the width in force and a scalar tail computing the same operations.</summary>
    private readonly struct Chunks<T, TFinish>(T* m, T* v, T* g, T* m2, T* v2, T* u, int n, AdamConstants<T> k, TFinish finish) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFinish : struct, IFinish<T>
    {
        public void Run(int start, int end)
        {
            var (i, stop) = (start * Chunk, Math.Min(n, end * Chunk));
            i = VectorWidth.Current switch
            {
                512 => Vectors<V512<T>>(i, stop),
                256 => Vectors<V256<T>>(i, stop),
                _ => Vectors<V128<T>>(i, stop),
            };
            for (; i < stop; i++)
            {
                var mi = m[i] * k.Beta1 + g[i] * k.Keep1;
                var vi = v[i] * k.Beta2 + g[i] * g[i] * k.Keep2;
                (m2[i], v2[i], u[i]) = (mi, vi, finish.Invoke(mi / (T.Sqrt(vi / k.Correction2) + k.Eps) / k.Correction1, i));
            }
        }

        // Elements [i, stop) in whole vectors; returns where the scalar tail starts.
        private int Vectors<TV>(int i, int stop)
            where TV : unmanaged, ISimd<TV, T>
        {
            if (!TV.IsSupported) return i;
            var (b1, k1, b2, k2) = (TV.Create(k.Beta1), TV.Create(k.Keep1), TV.Create(k.Beta2), TV.Create(k.Keep2));
            var (eps, c1, c2) = (TV.Create(k.Eps), TV.Create(k.Correction1), TV.Create(k.Correction2));
            for (; i <= stop - TV.Count; i += TV.Count)
            {
                var gi = TV.Load(g + i);
                var mi = TV.Load(m + i) * b1 + gi * k1;
                var vi = TV.Load(v + i) * b2 + gi * gi * k2;
                mi.Store(m2 + i);
                vi.Store(v2 + i);
                finish.Invoke(mi / (TV.Sqrt(vi / c2) + eps) / c1, i).Store(u + i);
            }
            return i;
        }
    }
}
