using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;

namespace FunctionalNets.Layers;

/// <summary>
/// Multi-head self-attention over x [B, T, C]: Q = x·W_Q, K = x·W_K, V = x·W_V, split into H heads of
/// C/H features, <c>softmax(Q·Kᵀ/√(C/H) (+ causal mask))·V</c> per head, heads merged, then x·W_O.
/// </summary>
public static class SelfAttention
{
    /// <summary>
    /// The layer <c>name</c> with sub-layers <c>wq</c>, <c>wk</c>, <c>wv</c> and <c>wo</c> (dense, with
    /// biases when <paramref name="bias"/>, initialised by <paramref name="init"/>); <paramref name="causal"/>
    /// lets position t attend only to ≤ t.
    /// </summary>
    public static Layer<T> Of<T>(string name, int heads, bool causal = true, bool bias = true, LinearInit<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> => x => Net.Scope(name,
        from c in Net.Pure<T, int>(Channels(name, x, heads))
        from q in Dense.Of("wq", c, bias, init)(x)
        from k in Dense.Of("wk", c, bias, init)(x)
        from v in Dense.Of("wv", c, bias, init)(x)
        from qh in SplitHeads(q, heads)
        from kh in SplitHeads(k, heads)
        from vh in SplitHeads(v, heads)
        from a in Attention.Apply(qh, kh, vh, causal)
        from m in MergeHeads(a)
        from o in Dense.Of("wo", c, bias, init)(m)
        select o);

    /// <summary>[B, T, C] → [B, H, T, C/H].</summary>
    public static Net<T, Var<T>> SplitHeads<T>(Var<T> x, int heads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (b, t, c) = (x.Dim(0), x.Dim(1), x.Dim(2));
        return from r in Reshape.Apply(x, [b, t, heads, c / heads])
               from h in Transpose.Apply(r, 0, 2, 1, 3)
               select h;
    }

    /// <summary>[B, H, T, D] → [B, T, H·D].</summary>
    public static Net<T, Var<T>> MergeHeads<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (b, h, t, d) = (x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        return from p in Transpose.Apply(x, 0, 2, 1, 3)
               from r in Reshape.Apply(p, [b, t, h * d])
               select r;
    }

    private static int Channels<T>(string name, Var<T> x, int heads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Shape.Rank != 3)
            throw new ArgumentException($"{name}: expected input [batch, tokens, channels], got {x.Shape}");
        if (heads <= 0 || x.Dim(2) % heads != 0)
            throw new ArgumentException($"{name}: {x.Dim(2)} channels do not split into {heads} heads");
        return x.Dim(2);
    }
}
