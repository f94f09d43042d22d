using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// Decoupled weight decay: <c>u = u + wd·p</c> for each parameter <c>p</c> that <paramref name="mask"/> selects
    /// (by path and value), <c>u</c> unchanged for the others. Placed before the learning-rate scaling, the step
    /// becomes <c>−lr·(u + wd·p)</c>, as in AdamW.
    /// </summary>
    /// <remarks>A null mask selects every parameter (<see cref="ParamMask.All{T}"/>).</remarks>
    public static Transform<T> AddDecayedWeights<T>(double weightDecay, Func<string, Tensor<T>, bool>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(weightDecay >= 0 && double.IsFinite(weightDecay)))
            throw new ArgumentException($"Optimizer.AddDecayedWeights: weightDecay must be finite and ≥ 0, got {weightDecay}");
        var (wd, decays) = (T.CreateTruncating(weightDecay), mask ?? ParamMask.All);
        return Stateless<T>((u, _, p) =>
            u.Zip(p, (path, x, w) => decays(path, w) ? MultiplyAdd(w, wd, x) : x, nameof(AddDecayedWeights)));
    }
}

/// <summary>Ready-made masks for <see cref="Optimizer.AddDecayedWeights{T}"/>: which parameters (by path and value) decay.</summary>
public static partial class ParamMask
{
    /// <summary>Every parameter decays.</summary>
    public static bool All<T>(string path, Tensor<T> value)
        where T : unmanaged, INumber<T> => true;

    /// <summary>Only parameters of rank ≥ 2 (weight matrices, embeddings) decay; biases and norm gains are exempt.</summary>
    public static bool MatricesOnly<T>(string path, Tensor<T> value)
        where T : unmanaged, INumber<T> => value.Rank >= 2;
}
