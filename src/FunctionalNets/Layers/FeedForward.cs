using System.Numerics;

namespace FunctionalNets.Layers;

/// <summary>The position-wise feed-forward network <c>FFN(x) = f(x·W₁ + b₁)·W₂ + b₂</c>: expand d → d', act, compress d' → d.</summary>
public static class FeedForward
{
    /// <summary>
    /// A feed-forward block under <paramref name="name"/> with sub-layers <c>fc</c> (d → hidden) and <c>proj</c>
    /// (hidden → d); hidden defaults to 4d and the activation to ReLU. Without <paramref name="bias"/> neither has
    /// b₁, b₂. <c>fc</c> starts from <paramref name="init"/>, <c>proj</c> from <paramref name="outputInit"/> when
    /// given (GPT-2 shrinks the projections that feed the residual stream), else from <paramref name="init"/>.
    /// </summary>
    public static Layer<T> Of<T>(string name, int d, int? hidden = null, Layer<T>? activation = null, LinearInit<T>? init = null,
        bool bias = true, LinearInit<T>? outputInit = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Layer.Scope(name, Dense.Of("fc", hidden ?? 4 * d, bias, init)
            .Then(activation ?? Ops.Relu.Apply)
            .Then(Dense.Of("proj", d, bias, outputInit ?? init)));
}
