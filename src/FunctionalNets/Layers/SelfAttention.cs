using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;

namespace FunctionalNets.Layers;

/// <summary>
/// Multi-head self-attention over x [B, T, C] (or [T, C]): Q = x·W_Q, K = x·W_K, V = x·W_V, split into H heads of
/// C/H features, <c>softmax(Q·Kᵀ/√(C/H) (+ causal mask))·V</c> per head, heads merged, then x·W_O.
/// </summary>
/// <remarks>
/// The three projections run as one product, <c>x·[W_Q | W_K | W_V]</c>, and <see cref="MultiHeadAttention"/>
/// reads each head in place from the packed result; the parameters stay separate (<c>wq</c>, <c>wk</c>, <c>wv</c>).
/// </remarks>
public static class SelfAttention
{
    /// <summary>
    /// The layer <c>name</c> with sub-layers <c>wq</c>, <c>wk</c>, <c>wv</c> and <c>wo</c> (dense, with
    /// biases when <paramref name="bias"/>, initialised by <paramref name="init"/>, and <c>wo</c> by
    /// <paramref name="outputInit"/> when given); <paramref name="causal"/> lets position t attend only to ≤ t.
    /// The input is x [B, T, C] or a single sequence x [T, C].
    /// </summary>
    /// <remarks>A single sequence runs as a batch of one (two reshapes, which share buffers).</remarks>
    public static Layer<T> Of<T>(string name, int heads, bool causal = true, bool bias = true, LinearInit<T>? init = null,
        LinearInit<T>? outputInit = null)
        where T : unmanaged, IFloatingPointIeee754<T> => x => Net.Scope(name,
        from path in Net.Path<T>()
        from y in x.Shape.Rank == 2
            ? from b in Reshape.Apply(x, [1, x.Dim(0), x.Dim(1)])
              from a in Attend(path, b, heads, causal, bias, init, outputInit)
              from r in Reshape.Apply(a, [x.Dim(0), x.Dim(1)])
              select r
            : Attend(path, x, heads, causal, bias, init, outputInit)
        select y);

    private static Net<T, Var<T>> Attend<T>(string path, Var<T> x, int heads, bool causal, bool bias, LinearInit<T>? init,
        LinearInit<T>? outputInit)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = Channels(path, x, heads);
        return from q in Dense.Weights("wq", c, c, bias, init)
               from k in Dense.Weights("wk", c, c, bias, init)
               from v in Dense.Weights("wv", c, c, bias, init)
               from w in Concat.Apply([q.W, k.W, v.W], axis: 1)
               from qkv in q.B is { } bq && k.B is { } bk && v.B is { } bv
                   ? from b in Concat.Apply([bq, bk, bv], axis: 0) from y in Affine.Apply(x, w, b) select y
                   : MatMul.Apply(x, w)
               from a in MultiHeadAttention.Apply(qkv, heads, causal)
               from o in Dense.Of("wo", c, bias, outputInit ?? init)(a)
               select o;
    }

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

    // path is the layer's full parameter path (blocks/0/attn), so a model's error names the block.
    private static int Channels<T>(string path, Var<T> x, int heads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (path.Length == 0) path = nameof(SelfAttention);
        if (x.Shape.Rank != 3)
            throw new ArgumentException($"{path}: expected input [batch, tokens, channels] or [tokens, channels], got {x.Shape}");
        if (heads <= 0 || x.Dim(2) % heads != 0)
            throw new ArgumentException($"{path}: {x.Dim(2)} channels do not split into {heads} heads");
        return x.Dim(2);
    }
}
