using System.Collections.Immutable;
using System.Numerics;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Models;

/// <summary>
/// What a <see cref="Gpt"/> has computed for the tokens it has read: the tokens of the current window and, per
/// block, the keys and values of their positions, K and V [H, L, D] with L = <see cref="Length"/> ≤ context.
/// Made by <see cref="KvCache.Prefill"/> and extended by <see cref="KvCache.Step"/>; a value, never changed.
/// </summary>
public sealed record KvCache<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal KvCache(ImmutableArray<int> tokens, ImmutableArray<Tensor<T>> keys, ImmutableArray<Tensor<T>> values) =>
        (Tokens, Keys, Values) = (tokens, keys, values);

    /// <summary>The token ids of the window, oldest first; token i sits at position i.</summary>
    public ImmutableArray<int> Tokens { get; }

    /// <summary>Block l's keys [H, L, D] of the window's positions.</summary>
    public ImmutableArray<Tensor<T>> Keys { get; }

    /// <summary>Block l's values [H, L, D] of the window's positions.</summary>
    public ImmutableArray<Tensor<T>> Values { get; }

    /// <summary>L, the number of positions cached.</summary>
    public int Length => Tokens.Length;
}

/// <summary>
/// Eager inference for <see cref="Gpt"/> with a key/value cache, over plain tensors (no tape): <see cref="Prefill"/>
/// reads a prompt in one pass and keeps every block's keys and values; each <see cref="Step"/> then computes one new
/// position, attending to the cached ones. The logits equal <see cref="Gpt.Logits"/> on the window's tokens (to
/// rounding: the products run on different row counts).
/// </summary>
/// <remarks>
/// Sliding: positions are learned and absolute, so once the window holds the context length, a new token cannot be
/// appended: the window moves on by one and every cached key and value changes. <see cref="Step"/> then keeps the
/// last (context − 1) tokens, recomputes their cache with a prefill and appends the new token, so past the context
/// each token costs a prefill of context − 1 positions instead of one. Dropout is off (inference).
/// </remarks>
public static class KvCache
{
    /// <summary>Logits [n, V] for each of the n prompt tokens (1 ≤ n ≤ context), and the cache of their positions.</summary>
    public static (Tensor<T> Logits, KvCache<T> Cache) Prefill<T>(Params<T> parameters, GptConfig cfg, ReadOnlySpan<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequirePrompt(cfg, ids, nameof(Prefill));
        var (logits, cache, _) = Run(parameters, cfg, null, [.. ids]);
        return (logits, cache);
    }

    /// <summary>
    /// The attention probabilities of every block for the n prompt tokens (1 ≤ n ≤ context): block l's P [H, n, n],
    /// row t giving how position t spreads its attention over the positions ≤ t (each row sums to 1).
    /// </summary>
    public static ImmutableArray<Tensor<T>> AttentionWeights<T>(Params<T> parameters, GptConfig cfg, ReadOnlySpan<int> ids)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequirePrompt(cfg, ids, nameof(AttentionWeights));
        return [.. Run(parameters, cfg, null, [.. ids]).Weights];
    }

    private static void RequirePrompt(GptConfig cfg, ReadOnlySpan<int> ids, string function)
    {
        if (ids.Length == 0 || ids.Length > cfg.Context)
            throw new ArgumentException($"{nameof(KvCache)}.{function}: need 1 to {cfg.Context} (the context) tokens, got {ids.Length}");
    }

    /// <summary>
    /// Logits [V] for the position after the cached window once <paramref name="id"/> is read there, and the cache
    /// extended by it; when the window is full it first slides (see the remarks on <see cref="KvCache"/>).
    /// </summary>
    public static (Tensor<T> Logits, KvCache<T> Cache) Step<T>(Params<T> parameters, GptConfig cfg, KvCache<T> cache, int id)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (cache.Keys.Length != cfg.Layers || cache.Length > cfg.Context)
            throw new ArgumentException(
                $"{nameof(KvCache)}.{nameof(Step)}: a cache of {cache.Keys.Length} blocks and {cache.Length} positions does not fit {cfg.Layers} blocks and context {cfg.Context}");
        if (cache.Length == cfg.Context)
        {
            var kept = cache.Tokens.AsSpan()[(cache.Length - (cfg.Context - 1))..];
            if (kept.IsEmpty) return LastRow(Prefill(parameters, cfg, [id]));
            cache = Prefill(parameters, cfg, kept).Cache;
        }
        var (logits, next, _) = Run(parameters, cfg, cache, cache.Tokens.Add(id));
        return LastRow((logits, next));
    }

    /// <summary>The logits [V] of the last position of a run's [n, V], with its cache.</summary>
    internal static (Tensor<T> Logits, KvCache<T> Cache) LastRow<T>((Tensor<T> Logits, KvCache<T> Cache) run)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        (Slice.Forward(run.Logits, 0, run.Logits.Dim(0) - 1, run.Logits.Dim(0)).Reshape(Shape.Of(run.Logits.Dim(1))), run.Cache);

    // The new positions [past.Length, tokens.Length) as rows x [n, C], each block reading the past's keys and values.
    // With no past, the n positions attend causally among themselves; with a past, n = 1 and it sees every position.
    // Also returns each block's attention probabilities [H, n, L].
    private static (Tensor<T> Logits, KvCache<T> Cache, Tensor<T>[] Weights) Run<T>(Params<T> p, GptConfig cfg, KvCache<T>? past, ImmutableArray<int> tokens)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var start = past?.Length ?? 0;
        var n = tokens.Length - start;
        var wte = p["wte"];
        var x = Add.Forward(Embedding.Forward(wte, Tensor.From<int>([n], tokens.AsSpan()[start..])),
            Embedding.Forward(p["wpe"], Tensor.Arange(n, start, 1)));                              // [n, C]
        var (keys, values, weights) = (new Tensor<T>[cfg.Layers], new Tensor<T>[cfg.Layers], new Tensor<T>[cfg.Layers]);
        for (var l = 0; l < cfg.Layers; l++)
            (x, keys[l], values[l], weights[l]) = ApplyBlock(p, cfg, $"blocks/{l}/", x, past?.Keys[l], past?.Values[l]);
        var f = Normalise(p, cfg, "ln_f", x);
        var logits = MatMul.Forward(f, cfg.TieWeights ? Transpose.Forward(wte) : p["head/w"]);  // [n, V]
        return (logits, new KvCache<T>(tokens, [.. keys], [.. values]), weights);
    }

    // Block.Of's two arrangements, on tensors.
    private static (Tensor<T> Y, Tensor<T> K, Tensor<T> V, Tensor<T> P) ApplyBlock<T>(Params<T> p, GptConfig cfg, string path, Tensor<T> x, Tensor<T>? pastK, Tensor<T>? pastV)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (cfg.Norm == NormPlacement.Pre)
        {
            var (h, k, v, weights) = Attend(p, cfg, path + "attn/", Normalise(p, cfg, path + "ln1", x), pastK, pastV);
            var r = Add.Forward(x, h);
            return (Add.Forward(r, ApplyFeedForward(p, cfg, path + "mlp/", Normalise(p, cfg, path + "ln2", r))), k, v, weights);
        }
        else
        {
            var (h, k, v, weights) = Attend(p, cfg, path + "attn/", x, pastK, pastV);
            var r = Normalise(p, cfg, path + "ln1", Add.Forward(x, h));
            return (Normalise(p, cfg, path + "ln2", Add.Forward(r, ApplyFeedForward(p, cfg, path + "mlp/", r))), k, v, weights);
        }
    }

    // SelfAttention.Of on the rows x [n, C]: the packed projection x·[W_Q | W_K | W_V], heads [H, n, D], the new keys
    // and values appended to the past's, attention, heads merged, then W_O. Returns the output, the keys and values, and
    // the attention probabilities.
    private static (Tensor<T> Y, Tensor<T> K, Tensor<T> V, Tensor<T> P) Attend<T>(Params<T> p, GptConfig cfg, string path, Tensor<T> x, Tensor<T>? pastK, Tensor<T>? pastV)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (n, c, heads) = (x.Dim(0), cfg.Channels, cfg.Heads);
        var w = Concat.Forward([p[path + "wq/w"], p[path + "wk/w"], p[path + "wv/w"]], axis: 1);
        var qkv = cfg.Bias
            ? Affine.Forward(x, w, Concat.Forward([p[path + "wq/b"], p[path + "wk/b"], p[path + "wv/b"]], axis: 0))
            : MatMul.Forward(x, w);                                                                   // [n, 3C]
        Tensor<T> Part(int i) => Transpose.Forward(Slice.Forward(qkv, 1, i * c, (i + 1) * c).Reshape(Shape.Of(n, heads, c / heads)), 1, 0, 2);
        var q = Part(0);                                                                              // [H, n, D]
        var k = pastK is null ? Part(1) : Concat.Forward([pastK, Part(1)], axis: 1);                  // [H, L, D]
        var v = pastV is null ? Part(2) : Concat.Forward([pastV, Part(2)], axis: 1);
        var (a, saved) = Attention.Forward(q, k, v, causal: pastK is null);                           // [H, n, D], P [H, n, L]
        var merged = Transpose.Forward(a, 1, 0, 2).Reshape(Shape.Of(n, c));
        return (Linear(p, cfg, path + "wo", merged), k, v, saved.P);
    }

    private static Tensor<T> ApplyFeedForward<T>(Params<T> p, GptConfig cfg, string path, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var h = Linear(p, cfg, path + "fc", x);
        return Linear(p, cfg, path + "proj", cfg.Activation == GptActivation.Gelu ? Gelu.Forward(h) : GeluTanh.Forward(h));
    }

    private static Tensor<T> Linear<T>(Params<T> p, GptConfig cfg, string path, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        cfg.Bias ? Affine.Forward(x, p[path + "/w"], p[path + "/b"]) : MatMul.Forward(x, p[path + "/w"]);

    // As Layers.Norm: the gain-only form adds a zero shift, which changes no bit.
    private static Tensor<T> Normalise<T>(Params<T> p, GptConfig cfg, string path, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        LayerNorm.Forward(x, p[path + "/g"], cfg.NormBias ? p[path + "/b"] : Tensor.Zeros<T>([x.Dim(-1)]), cfg.NormEps).Y;
}
