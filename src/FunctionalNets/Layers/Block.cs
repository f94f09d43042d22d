using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;

namespace FunctionalNets.Layers;

/// <summary>Where a transformer block normalises: before each sub-layer (GPT-2 style) or after each residual (the original transformer and the book).</summary>
public enum NormPlacement
{
    /// <summary><c>x + f(LN(x))</c>.</summary>
    Pre,

    /// <summary><c>LN(x + f(x))</c>.</summary>
    Post,
}

/// <summary>A transformer block: self-attention and a feed-forward network, each with a residual and a layer norm.</summary>
public static class Block
{
    /// <summary>
    /// The block <c>name</c> with sub-layers <c>ln1</c>, <c>attn</c>, <c>ln2</c>, <c>mlp</c>, one <c>from</c>
    /// per box of the diagram. Pre-LN: <c>r = x + attn(ln1(x)); y = r + mlp(ln2(r))</c>. Post-LN:
    /// <c>r = ln1(x + attn(x)); y = ln2(r + mlp(r))</c>.
    /// </summary>
    /// <remarks>
    /// <paramref name="bias"/> switches the biases of every linear layer (attention and feed-forward),
    /// <paramref name="normBias"/> the layer norms' shifts (gain only when false), <paramref name="eps"/> is the
    /// layer norms' ε, and <paramref name="outputInit"/> (when given) starts the two projections that write into
    /// the residual stream, <c>attn/wo</c> and <c>mlp/proj</c>, while <paramref name="init"/> starts the others.
    /// </remarks>
    public static Layer<T> Of<T>(string name, int heads, NormPlacement norm = NormPlacement.Pre, bool causal = true,
        int? hidden = null, Layer<T>? activation = null, double dropout = 0, LinearInit<T>? init = null,
        bool bias = true, bool normBias = true, double eps = LayerNorm.DefaultEps, LinearInit<T>? outputInit = null)
        where T : unmanaged, IFloatingPointIeee754<T> => x =>
    {
        var attn = SelfAttention.Of("attn", heads, causal, bias, init, outputInit).Then(Regularize<T>(dropout));
        var mlp = FeedForward.Of("mlp", x.Dim(-1), hidden, activation, init, bias, outputInit).Then(Regularize<T>(dropout));
        var (ln1, ln2) = (Norm.Layer<T>("ln1", eps, normBias), Norm.Layer<T>("ln2", eps, normBias));
        return Net.Scope(name, norm == NormPlacement.Pre ? PreNorm(x, ln1, attn, ln2, mlp) : PostNorm(x, ln1, attn, ln2, mlp));
    };

    private static Net<T, Var<T>> PreNorm<T>(Var<T> x, Layer<T> ln1, Layer<T> attn, Layer<T> ln2, Layer<T> mlp)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from a in ln1(x)
        from h in attn(a)
        from r in Add.Apply(x, h)          // residual
        from b in ln2(r)
        from m in mlp(b)
        from y in Add.Apply(r, m)          // residual
        select y;

    private static Net<T, Var<T>> PostNorm<T>(Var<T> x, Layer<T> ln1, Layer<T> attn, Layer<T> ln2, Layer<T> mlp)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from h in attn(x)
        from s in Add.Apply(x, h)          // residual
        from r in ln1(s)
        from m in mlp(r)
        from t in Add.Apply(r, m)          // residual
        from y in ln2(t)
        select y;

    private static Layer<T> Regularize<T>(double rate)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        rate > 0 ? x => Dropout.Apply(x, rate) : Layer.Identity<T>();
}
