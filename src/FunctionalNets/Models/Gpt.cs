using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;

namespace FunctionalNets.Models;

/// <summary>
/// A GPT-style language model: token + position embeddings, N blocks, a final layer norm and a head to
/// vocabulary logits. Parameters: <c>wte</c>, <c>wpe</c>, <c>blocks/i/…</c>, <c>ln_f/…</c>, and <c>head/w</c> unless
/// the head is tied to <c>wte</c>. Initialisation as GPT-2: embeddings and linear weights N(0, 0.02) (the residual
/// projections N(0, 0.02/√(2·layers)) with <see cref="GptConfig.ScaledResidualInit"/>), biases 0, layer norms
/// g = 1, b = 0.
/// </summary>
public static class Gpt
{
    /// <summary>The standard deviation of the initial embeddings and linear weights, GPT-2's.</summary>
    public const double InitStd = 0.02;

    /// <summary>Logits [B, T, V] for token ids [B, T]; an empty batch (B or T zero) is an error.</summary>
    public static Net<T, Var<T>> Logits<T>(GptConfig cfg, Tensor<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ids.Rank != 2)
            throw new ArgumentException($"gpt: expected ids [batch, tokens], got {ids.Shape}");
        if (ids.Size == 0)
            throw new ArgumentException($"gpt: ids {ids.Shape} hold no tokens; a batch needs at least one sequence of at least one token");
        var blocks = Layer.Scope("blocks", Layer.Repeat(cfg.Layers, _ => Block.Of("", cfg.Heads, cfg.Norm, causal: true,
            cfg.Hidden, Activation<T>(cfg.Activation), cfg.Dropout, LinearInit<T>.Gpt(InitStd), cfg.Bias, cfg.NormBias, cfg.NormEps,
            LinearInit<T>.Gpt(ResidualStd(cfg)))));
        return from tok in Embeddings.Tokens<T>("wte", ids, cfg.Vocab, cfg.Channels)
               from pos in Embeddings.Positions<T>("wpe", ids.Dim(1), cfg.Context, cfg.Channels)
               from x in Add.Apply(tok, pos)
               from h in blocks(x)
               from f in Norm.Layer<T>("ln_f", cfg.NormEps, cfg.NormBias)(h)
               from logits in Head(cfg, f)
               select logits;
    }

    /// <summary>Mean next-token cross-entropy of the logits for <paramref name="ids"/> against <paramref name="targets"/>.</summary>
    public static Net<T, Var<T>> Loss<T>(GptConfig cfg, Tensor<int> ids, Tensor<int> targets)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from logits in Logits<T>(cfg, ids)
        from loss in CrossEntropy.Apply(logits, targets)
        select loss;

    /// <summary>
    /// The standard deviation of the initial <c>attn/wo</c> and <c>mlp/proj</c> weights: 0.02/√(2·layers) with
    /// <see cref="GptConfig.ScaledResidualInit"/>, else 0.02.
    /// </summary>
    /// <remarks>Each block adds two projections into the residual stream, so its variance grows with 2·layers; GPT-2 divides it back out.</remarks>
    public static double ResidualStd(GptConfig cfg) => cfg.ScaledResidualInit ? InitStd / Math.Sqrt(2.0 * cfg.Layers) : InitStd;

    /// <summary>The activation of <paramref name="activation"/> as a layer.</summary>
    internal static Layer<T> Activation<T>(GptActivation activation)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        activation == GptActivation.Gelu ? Gelu.Apply : GeluTanh.Apply;

    private static Net<T, Var<T>> Head<T>(GptConfig cfg, Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        cfg.TieWeights
            ? from wte in Net.Param("wte", [cfg.Vocab, cfg.Channels], Embeddings.DefaultInit<T>())
              from w in Transpose.Apply(wte, 1, 0)
              from y in MatMul.Apply(x, w)
              select y
            : Dense.Of("head", cfg.Vocab, bias: false, LinearInit<T>.Gpt(InitStd))(x);
}
