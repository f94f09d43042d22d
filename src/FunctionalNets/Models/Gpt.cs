using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;

namespace FunctionalNets.Models;

/// <summary>The shape of a GPT-style language model.</summary>
/// <param name="Vocab">V, the vocabulary size.</param>
/// <param name="Context">The longest sequence (learned positions).</param>
/// <param name="Channels">C, the model width.</param>
/// <param name="Layers">How many transformer blocks.</param>
/// <param name="Heads">Attention heads per block (C must divide by it).</param>
/// <param name="Hidden">Feed-forward width; 4C when null.</param>
/// <param name="TieWeights">Use the token embedding (transposed) as the output head.</param>
/// <param name="Norm">Pre-LN (default) or post-LN blocks.</param>
/// <param name="Dropout">Dropout rate after attention and feed-forward (0 = none).</param>
public sealed record GptConfig(int Vocab, int Context, int Channels, int Layers, int Heads, int? Hidden = null,
    bool TieWeights = false, NormPlacement Norm = NormPlacement.Pre, double Dropout = 0);

/// <summary>
/// A GPT-style language model: token + position embeddings, N blocks, a final layer norm and a head to
/// vocabulary logits. Parameters: <c>wte</c>, <c>wpe</c>, <c>blocks/i/…</c>, <c>ln_f/…</c>, <c>head/w</c>.
/// Initialisation as GPT-2: embeddings and linear weights N(0, 0.02), biases 0, layer norms g = 1, b = 0.
/// </summary>
public static class Gpt
{
    /// <summary>Logits [B, T, V] for token ids [B, T].</summary>
    public static Net<T, Var<T>> Logits<T>(GptConfig cfg, Tensor<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ids.Rank != 2)
            throw new ArgumentException($"gpt: expected ids [batch, tokens], got {ids.Shape}");
        var blocks = Layer.Scope("blocks", Layer.Repeat(cfg.Layers,
            _ => Block.Of("", cfg.Heads, cfg.Norm, causal: true, cfg.Hidden, Ops.GeluTanh.Apply, cfg.Dropout, LinearInit<T>.Gpt())));
        return from tok in Embeddings.Tokens<T>("wte", ids, cfg.Vocab, cfg.Channels)
               from pos in Embeddings.Positions<T>("wpe", ids.Dim(1), cfg.Context, cfg.Channels)
               from x in Add.Apply(tok, pos)
               from h in blocks(x)
               from f in Norm.Layer<T>("ln_f")(h)
               from logits in Head(cfg, f)
               select logits;
    }

    /// <summary>Mean next-token cross-entropy of the logits for <paramref name="ids"/> against <paramref name="targets"/>.</summary>
    public static Net<T, Var<T>> Loss<T>(GptConfig cfg, Tensor<int> ids, Tensor<int> targets)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from logits in Logits<T>(cfg, ids)
        from loss in CrossEntropy.Apply(logits, targets)
        select loss;

    private static Net<T, Var<T>> Head<T>(GptConfig cfg, Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        cfg.TieWeights
            ? from wte in Net.Param("wte", [cfg.Vocab, cfg.Channels], Embeddings.DefaultInit<T>())
              from w in Transpose.Apply(wte, 1, 0)
              from y in MatMul.Apply(x, w)
              select y
            : Dense.Of("head", cfg.Vocab, bias: false, LinearInit<T>.Gpt())(x);
}
