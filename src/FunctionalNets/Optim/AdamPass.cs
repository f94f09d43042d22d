using System.Numerics;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Optim;

/// <summary>
/// <see cref="AdamMoments"/> on tensors: one pass over a tensor's moments and gradient into three new tensors of the
/// gradient's shape, the moments and the update.
/// </summary>
internal static class AdamPass
{
    /// <summary>The moments and Adam's step <c>u</c> (ScaleByAdam).</summary>
    public static (Tensor<T> M, Tensor<T> V, Tensor<T> U) Step<T>(Tensor<T> m, Tensor<T> v, Tensor<T> g, AdamConstants<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m2, v2, u) = Buffers<T>(g.Size);
        AdamMoments.Step(m.Span, v.Span, g.Span, k, m2, v2, u);
        return Wrap(g.Shape, m2, v2, u);
    }

    /// <summary>
    /// The moments and <c>((p·wd) + u)·scale</c> with <c>p</c> the tensor <paramref name="decayed"/>, or <c>u·scale</c>
    /// when it is null: AdamW's chain (decayed weights, then the learning rate) on Adam's step <c>u</c>.
    /// </summary>
    public static (Tensor<T> M, Tensor<T> V, Tensor<T> U) StepDecayScale<T>(Tensor<T> m, Tensor<T> v, Tensor<T> g, AdamConstants<T> k,
        Tensor<T>? decayed, T weightDecay, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m2, v2, u) = Buffers<T>(g.Size);
        if (decayed is null)
            AdamMoments.StepScale(m.Span, v.Span, g.Span, k, scale, m2, v2, u);
        else
            AdamMoments.StepDecayScale(m.Span, v.Span, g.Span, k, decayed.Span, weightDecay, scale, m2, v2, u);
        return Wrap(g.Shape, m2, v2, u);
    }

    private static (T[] M, T[] V, T[] U) Buffers<T>(int n)
        where T : unmanaged =>
        (Tensor.Uninitialized<T>(n), Tensor.Uninitialized<T>(n), Tensor.Uninitialized<T>(n));

    private static (Tensor<T> M, Tensor<T> V, Tensor<T> U) Wrap<T>(Shape shape, T[] m, T[] v, T[] u)
        where T : unmanaged, IFloatingPointIeee754<T> => (new(shape, m), new(shape, v), new(shape, u));
}
