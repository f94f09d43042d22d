using System.Numerics;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;

namespace FunctionalNets.Models;

/// <summary>Text generation with a <see cref="Gpt"/>: a lazy stream of new token ids.</summary>
public static class Generation
{
    /// <summary>
    /// Up to <paramref name="maxNewTokens"/> new token ids continuing <paramref name="prompt"/>, one per enumeration
    /// step: the prompt is prefilled into a <see cref="KvCache{T}"/>, then each token is drawn by
    /// <see cref="Sampling.Sample"/> from the last position's logits with the key <c>key.FoldIn(i)</c> for the i-th
    /// new token (from 0) and read back with <see cref="KvCache.Step"/>.
    /// </summary>
    /// <remarks>
    /// The same arguments give the same tokens, and a shorter run is a prefix of a longer one. A prompt longer than the
    /// context is cut to its last context tokens, as the model could never see more; past the context the window
    /// slides (see <see cref="KvCache"/>). The arguments are checked when this is called, the model runs as the
    /// sequence is enumerated (each enumeration starts again).
    /// </remarks>
    public static IEnumerable<int> Generate<T>(Params<T> parameters, GptConfig cfg, IReadOnlyList<int> prompt, int maxNewTokens,
        SamplingOptions sampling, Key key)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (prompt.Count == 0)
            throw new ArgumentException($"{nameof(Generation)}: the prompt is empty; a GPT needs at least one token to continue");
        if (maxNewTokens < 0)
            throw new ArgumentException($"{nameof(Generation)}: max new tokens must be ≥ 0, got {maxNewTokens}");
        for (var i = 0; i < prompt.Count; i++)
            if ((uint)prompt[i] >= (uint)cfg.Vocab)
                throw new ArgumentException($"{nameof(Generation)}: prompt id {prompt[i]} at position {i} is out of range for V = {cfg.Vocab}");
        var window = prompt.Skip(Math.Max(0, prompt.Count - cfg.Context)).ToArray();
        return Tokens(parameters, cfg, window, maxNewTokens, sampling, key);
    }

    private static IEnumerable<int> Tokens<T>(Params<T> parameters, GptConfig cfg, int[] window, int count, SamplingOptions sampling, Key key)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (count == 0) yield break;
        var (next, cache) = KvCache.LastRow(KvCache.Prefill(parameters, cfg, window));
        for (var i = 0; ; i++)
        {
            var id = Sampling.Sample(next, sampling, key.FoldIn(i));
            yield return id;
            if (i + 1 == count) yield break;
            (next, cache) = KvCache.Step(parameters, cfg, cache, id);
        }
    }
}
