using System.Numerics;
using System.Runtime.Intrinsics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Kernels;

/// <summary>Adam's constants for one update, rounded to T once: β₁, 1 − β₁, β₂, 1 − β₂, ε and the bias corrections 1 − β₁ᵗ, 1 − β₂ᵗ.</summary>
internal readonly record struct AdamConstants<T>(T Beta1, T Keep1, T Beta2, T Keep2, T Eps, T Correction1, T Correction2);

/// <summary>
/// Adam's moment update and scaled step for one tensor in a single pass over 1,024-element chunks, spread over
/// threads: <c>m′ = m·β₁ + g·(1 − β₁)</c>, <c>v′ = v·β₂ + (g·g)·(1 − β₂)</c>, <c>u = (m′/(√(v′/(1 − β₂ᵗ)) + ε))/(1 − β₁ᵗ)</c>,
/// each operation rounded in that order (no fused multiply-add), so the bits are those of the same formula
/// evaluated one operation at a time over whole tensors.
/// </summary>
internal static unsafe class AdamMoments
{
    private const int Chunk = 1024;

    public static (Tensor<T> M, Tensor<T> V, Tensor<T> U) Step<T>(Tensor<T> m, Tensor<T> v, Tensor<T> g, AdamConstants<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = g.Size;
        var (m2, v2, u) = (GC.AllocateUninitializedArray<T>(n), GC.AllocateUninitializedArray<T>(n), GC.AllocateUninitializedArray<T>(n));
        fixed (T* pm = m.Span, pv = v.Span, pg = g.Span, pm2 = m2, pv2 = v2, pu = u)
            Partition.For((n + Chunk - 1) / Chunk, 8L * Chunk, new Chunks<T>(pm, pv, pg, pm2, pv2, pu, n, k));
        return (new Tensor<T>(g.Shape, m2), new Tensor<T>(g.Shape, v2), new Tensor<T>(g.Shape, u));
    }

    /// <summary>Chunks [start, end): a Vector512 body and a scalar tail computing the same operations.</summary>
    private readonly struct Chunks<T>(T* m, T* v, T* g, T* m2, T* v2, T* u, int n, AdamConstants<T> k) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            var (i, stop) = (start * Chunk, Math.Min(n, end * Chunk));
            if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            {
                var (b1, k1, b2, k2) = (Vector512.Create(k.Beta1), Vector512.Create(k.Keep1), Vector512.Create(k.Beta2), Vector512.Create(k.Keep2));
                var (eps, c1, c2) = (Vector512.Create(k.Eps), Vector512.Create(k.Correction1), Vector512.Create(k.Correction2));
                for (; i <= stop - Vector512<T>.Count; i += Vector512<T>.Count)
                {
                    var gi = Vector512.Load(g + i);
                    var mi = Vector512.Load(m + i) * b1 + gi * k1;
                    var vi = Vector512.Load(v + i) * b2 + gi * gi * k2;
                    mi.Store(m2 + i);
                    vi.Store(v2 + i);
                    (mi / (Vector512.Sqrt(vi / c2) + eps) / c1).Store(u + i);
                }
            }
            for (; i < stop; i++)
            {
                var mi = m[i] * k.Beta1 + g[i] * k.Keep1;
                var vi = v[i] * k.Beta2 + g[i] * g[i] * k.Keep2;
                (m2[i], v2[i], u[i]) = (mi, vi, mi / (T.Sqrt(vi / k.Correction2) + k.Eps) / k.Correction1);
            }
        }
    }
}
