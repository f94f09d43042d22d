using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Models;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Models;

/// <summary>Small GPTs of every architecture variant, with parameters that exercise every path.</summary>
internal static class GptFixtures
{
    /// <summary>Tiny configs: W3's defaults, W6's options, post-LN with biases, and a mixed one (untied head, gain-only norms, exact GELU, biases).</summary>
    public static readonly Dictionary<string, GptConfig> Variants = new()
    {
        ["w3"] = new(Vocab: 11, Context: 8, Channels: 16, Layers: 2, Heads: 4, Hidden: 24),
        ["w6"] = new(Vocab: 11, Context: 8, Channels: 16, Layers: 2, Heads: 4, Hidden: 24, TieWeights: true, Bias: false,
            NormBias: false, Activation: GptActivation.Gelu, ScaledResidualInit: true),
        ["post"] = new(Vocab: 11, Context: 8, Channels: 16, Layers: 2, Heads: 2, Norm: NormPlacement.Post, NormEps: 1e-3),
        ["mixed"] = new(Vocab: 11, Context: 8, Channels: 16, Layers: 3, Heads: 2, Hidden: 20, NormBias: false,
            Activation: GptActivation.Gelu, Dropout: 0.2),
    };

    public static TheoryData<string> Names => [.. Variants.Keys];

    /// <summary>
    /// Parameters for <paramref name="cfg"/>: the model's init plus N(0, 0.3) noise, so biases and shifts are not zero,
    /// gains not one and the logits of order one (the init's 0.02 would make every layer nearly linear).
    /// </summary>
    public static Params<T> Parameters<T>(GptConfig cfg, ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var key = Key.FromSeed(seed);
        return Net.Init(Gpt.Logits<T>(cfg, Tensor.Zeros<int>([1, 1])), key)
            .Map((path, t) => Add.Forward(t, Sample.Normal<T>(key.FoldIn("noise/" + path), t.Shape, 0, 0.3)));
    }

    /// <summary>The full forward's logits [T, V] for one sequence, as the model defines them.</summary>
    public static Tensor<T> FullLogits<T>(Params<T> p, GptConfig cfg, IReadOnlyList<int> tokens)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var logits = Net.Apply(Gpt.Logits<T>(cfg, Tensor.From<int>([1, tokens.Count], tokens.ToArray())), p).Value;
        return logits.Reshape(Shape.Of(tokens.Count, cfg.Vocab));
    }

    /// <summary>Row <paramref name="row"/> of a [T, V] tensor.</summary>
    public static double[] Row<T>(Tensor<T> x, int row)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Enumerable.Range(0, x.Dim(1)).Select(v => double.CreateTruncating(x[row, v])).ToArray();

    /// <summary>The first id with the largest value.</summary>
    public static int Argmax(double[] xs)
    {
        var best = 0;
        for (var i = 1; i < xs.Length; i++)
            if (xs[i] > xs[best]) best = i;
        return best;
    }
}
