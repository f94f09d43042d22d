using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// AdamW (Loshchilov and Hutter, 2019), decoupled weight decay as in PyTorch:
    /// <c>p ← p − lr(t)·(m̂/(√v̂ + ε) + wd·p)</c> for parameters the mask selects;
    /// <c>Chain(ScaleByAdam, AddDecayedWeights(wd, mask), ScaleByLearningRate(lr))</c>.
    /// </summary>
    /// <remarks>
    /// The default mask decays every parameter, as PyTorch and Optax do; pass <see cref="ParamMask.MatricesOnly{T}"/>
    /// to exempt biases and norm gains. The result is that chain (its <c>Init</c>, its state <c>0/mu</c>, <c>0/nu</c>)
    /// with an <c>Update</c> that runs all three members in one pass per tensor: the same operations in the same
    /// order, so the same updates and state bit for bit, without the two intermediate trees.
    /// </remarks>
    public static Transform<T> AdamW<T>(Schedule lr, double weightDecay = 0.01, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8,
        Func<string, Tensor<T>, bool>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var chain = Chain(ScaleByAdam<T>(b1, b2, eps), AddDecayedWeights(weightDecay, mask), ScaleByLearningRate<T>(lr));
        var (wd, decays) = (T.CreateTruncating(weightDecay), mask ?? ParamMask.All);
        return chain with
        {
            Update = (g, s, p) =>
            {
                // The chain's checks, in its order: Adam's moments against g, then the decay's g against p.
                var (mu, nu) = (s["0/mu"], s["0/nu"]);
                mu.RequireSamePaths(g, nameof(ScaleByAdam));
                nu.RequireSamePaths(g, nameof(ScaleByAdam));
                g.RequireSamePaths(p, nameof(AddDecayedWeights));
                var (k, scale) = (AdamAt<T>(b1, b2, eps, s.Step + 1), T.CreateTruncating(-RateAt(nameof(AdamW), lr, s.Step)));
                var (m, v, u) = (new Tensor<T>[g.PathCount], new Tensor<T>[g.PathCount], new Tensor<T>[g.PathCount]);
                for (var i = 0; i < g.PathCount; i++)
                {
                    var decayed = decays(g.PathAt(i), p.At(i)) ? p.At(i) : null;
                    (m[i], v[i], u[i]) = AdamPass.StepDecayScale(mu.At(i), nu.At(i), g.At(i), k, decayed, wd, scale);
                }
                return (g.WithTensors(u), new OptState<T>(s.Step + 1, s.Slots.SetItem("0/mu", g.WithTensors(m)).SetItem("0/nu", g.WithTensors(v))));
            },
        };
    }

    /// <summary>AdamW with a constant learning rate.</summary>
    public static Transform<T> AdamW<T>(double lr, double weightDecay = 0.01, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8,
        Func<string, Tensor<T>, bool>? mask = null)
        where T : unmanaged, IFloatingPointIeee754<T> => AdamW(ConstantRate(nameof(AdamW), lr), weightDecay, b1, b2, eps, mask);
}
