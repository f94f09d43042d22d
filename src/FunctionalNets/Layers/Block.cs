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
    public static Layer<T> Of<T>(string name, int heads, NormPlacement norm = NormPlacement.Pre, bool causal = true,
        int? hidden = null, Layer<T>? activation = null, double dropout = 0, LinearInit<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> => x =>
    {
        var attn = SelfAttention.Of("attn", heads, causal, bias: true, init).Then(Regularize<T>(dropout));
        var mlp = FeedForward.Of("mlp", x.Dim(-1), hidden, activation, init).Then(Regularize<T>(dropout));
        return Net.Scope(name, norm == NormPlacement.Pre ? PreNorm(x, attn, mlp) : PostNorm(x, attn, mlp));
    };

    private static Net<T, Var<T>> PreNorm<T>(Var<T> x, Layer<T> attn, Layer<T> mlp)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from a in Norm.Layer<T>("ln1")(x)
        from h in attn(a)
        from r in Add.Apply(x, h)          // residual
        from b in Norm.Layer<T>("ln2")(r)
        from m in mlp(b)
        from y in Add.Apply(r, m)          // residual
        select y;

    private static Net<T, Var<T>> PostNorm<T>(Var<T> x, Layer<T> attn, Layer<T> mlp)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from h in attn(x)
        from s in Add.Apply(x, h)          // residual
        from r in Norm.Layer<T>("ln1")(s)
        from m in mlp(r)
        from t in Add.Apply(r, m)          // residual
        from y in Norm.Layer<T>("ln2")(t)
        select y;

    private static Layer<T> Regularize<T>(double rate)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        rate > 0 ? x => Dropout.Apply(x, rate) : Layer.Identity<T>();
}
