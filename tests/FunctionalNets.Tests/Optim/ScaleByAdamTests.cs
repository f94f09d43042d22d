using FunctionalNets.Optim;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

public class ScaleByAdamTests
{
    /// <summary>
    /// AdamW as PyTorch defines it, written out per element: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
    /// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), p ← p − lr·(m̂/(√v̂ + ε) + wd·p), with wd = 0 for plain Adam and for the
    /// elements <paramref name="decays"/> leaves out.
    /// </summary>
    private static double[] HandAdamW(double[] p, double[][] grads, double lr, double wd, Func<int, bool> decays,
        double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
    {
        p = (double[])p.Clone();
        var (m, v) = (new double[p.Length], new double[p.Length]);
        for (var t = 1; t <= grads.Length; t++)
            for (var i = 0; i < p.Length; i++)
            {
                var g = grads[t - 1][i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                var mHat = m[i] / (1 - Math.Pow(b1, t));
                var vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * (mHat / (Math.Sqrt(vHat) + eps) + (decays(i) ? wd : 0) * p[i]);
            }
        return p;
    }

    private static readonly double[][] FlatGrads = [.. Grads.Select(Flat)];

    [Fact]
    public void One_adam_step_matches_the_hand_formula()
    {
        var (p, s, _) = Run(Optimizer.Adam<double>(0.01), P0, Grads[..1]);
        Close(HandAdamW(Flat(P0), FlatGrads[..1], 0.01, 0, _ => false), p);
        // After one step m = (1 − β₁)·g and v = (1 − β₂)·g².
        Close([.. FlatGrads[0].Select(g => 0.1 * g)], s["0/mu"]);
        Close([.. FlatGrads[0].Select(g => 0.001 * g * g)], s["0/nu"]);
    }

    [Fact]
    public void Adam_first_step_moves_each_weight_by_about_lr_against_the_gradient_sign()
    {
        // m̂ = g and v̂ = g² at t = 1, so u = −lr·g/(|g| + ε): −0.01 for g = 0.1, +0.01 for g = −0.2, 0 for g = 0.
        var (_, _, updates) = Run(Optimizer.Adam<double>(0.01), P0, Grads[..1]);
        Close([-0.01 * 0.1 / (0.1 + 1e-8), 0.01 * 0.2 / (0.2 + 1e-8), -0.01 * 0.3 / (0.3 + 1e-8), 0, 0.01 * 0.4 / (0.4 + 1e-8), -0.01 * 2.5 / (2.5 + 1e-8)], updates[0]);
    }

    [Fact]
    public void Three_adam_steps_match_the_hand_formula() =>
        Close(HandAdamW(Flat(P0), FlatGrads, 0.01, 0, _ => false), Run(Optimizer.Adam<double>(0.01), P0, Grads).Params);

    [Fact]
    public void One_adamw_step_matches_the_torch_formula()
    {
        // Path order is dense/b (elements 0, 1) then dense/w (elements 2–5); MatricesOnly decays only dense/w.
        var (p, _, _) = Run(Optimizer.AdamW<double>(0.01, 0.1, mask: ParamMask.MatricesOnly), P0, Grads[..1]);
        Close(HandAdamW(Flat(P0), FlatGrads[..1], 0.01, 0.1, i => i >= 2), p);
    }

    [Fact]
    public void Three_adamw_steps_decaying_everything_match_the_torch_formula() =>
        Close(HandAdamW(Flat(P0), FlatGrads, 0.01, 0.1, _ => true), Run(Optimizer.AdamW<double>(0.01, 0.1), P0, Grads).Params);

    [Fact]
    public void Adam_step_counts_its_updates()
    {
        var (_, s, _) = Run(Optimizer.ScaleByAdam<double>(), P0, Grads);
        Assert.Equal(3, s.Step);
        Assert.Equal(["mu", "nu"], s.Slots.Keys);
    }

    [Fact]
    public void Adam_with_gradients_for_other_paths_names_the_transform_and_path()
    {
        var adam = Optimizer.ScaleByAdam<double>();
        var ex = Assert.Throws<ArgumentException>(() => adam.Update(Tree(("dense/x", Tensor.Vector(1.0))), adam.Init(P0), P0));
        Assert.StartsWith("ScaleByAdam: parameter trees differ at 'dense/", ex.Message);
    }

    [Theory]
    [InlineData(1.0, 0.999, 1e-8)]
    [InlineData(0.9, -0.1, 1e-8)]
    [InlineData(0.9, 0.999, double.NaN)]
    public void Adam_rejects_bad_hyperparameters(double b1, double b2, double eps)
    {
        var ex = Assert.Throws<ArgumentException>(() => Optimizer.ScaleByAdam<double>(b1, b2, eps));
        Assert.Contains($"got b1 {b1}, b2 {b2}, eps {eps}", ex.Message);
    }
}
