using System.Numerics;
using FunctionalNets.Tensors;
using FunctionalNets.Kernels;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// Adam's scaling with bias correction, at update number <c>t</c> (from 1):
    /// <c>m ← β₁·m + (1 − β₁)·g</c>, <c>v ← β₂·v + (1 − β₂)·g²</c>, <c>u = m̂/(√v̂ + ε)</c> with
    /// <c>m̂ = m/(1 − β₁ᵗ)</c>, <c>v̂ = v/(1 − β₂ᵗ)</c>. The moments are the trees <c>mu</c> and <c>nu</c>, zeros at first.
    /// </summary>
    /// <remarks>
    /// Elementwise order: <c>m = m·β₁ + g·(1 − β₁)</c>; <c>v = v·β₂ + (g·g)·(1 − β₂)</c>; <c>u = (m/(√(v/(1 − β₂ᵗ)) + ε))/(1 − β₁ᵗ)</c>,
    /// the bias corrections computed in double. ε must be positive: with ε = 0 a zero gradient at the first step
    /// would give NaN (0/0).
    /// </remarks>
    public static Transform<T> ScaleByAdam<T>(double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1) || !(eps > 0 && double.IsFinite(eps)))
            throw new ArgumentException($"Optimizer.ScaleByAdam: need 0 ≤ b1, b2 < 1 and a finite eps > 0, got b1 {b1}, b2 {b2}, eps {eps}");
        return new Transform<T>(
            p => OptState<T>.Empty.With("mu", p.ZerosLike()).With("nu", p.ZerosLike()),
            (g, s, _) =>
            {
                var (t, mu, nu) = (s.Step + 1, s["mu"], s["nu"]);
                var k = AdamAt<T>(b1, b2, eps, t);
                mu.RequireSamePaths(g, nameof(ScaleByAdam));
                nu.RequireSamePaths(g, nameof(ScaleByAdam));
                // One pass per tensor writes both moments and the update (AdamPass, Kernels.AdamMoments).
                var (m, v, u) = (new Tensor<T>[g.PathCount], new Tensor<T>[g.PathCount], new Tensor<T>[g.PathCount]);
                for (var i = 0; i < g.PathCount; i++)
                    (m[i], v[i], u[i]) = AdamPass.Step(mu.At(i), nu.At(i), g.At(i), k);
                return (g.WithTensors(u), (s with { Step = t }).With("mu", g.WithTensors(m)).With("nu", g.WithTensors(v)));
            });
    }

    // Adam's constants at update number t (from 1), the bias corrections computed in double, all rounded to T once.
    private static AdamConstants<T> AdamAt<T>(double b1, double b2, double eps, long t)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(T.CreateTruncating(b1), T.CreateTruncating(1 - b1), T.CreateTruncating(b2), T.CreateTruncating(1 - b2),
            T.CreateTruncating(eps), T.CreateTruncating(1 - Math.Pow(b1, t)), T.CreateTruncating(1 - Math.Pow(b2, t)));
}
