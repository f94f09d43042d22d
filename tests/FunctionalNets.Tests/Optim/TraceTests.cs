using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

public class TraceTests
{
    private static readonly Params<double> Start = Tree(("w", Tensor.Vector(1.0)));
    private static readonly Params<double>[] TwoGrads = [Tree(("w", Tensor.Vector(1.0))), Tree(("w", Tensor.Vector(2.0)))];

    [Fact]
    public void Heavy_ball_momentum_matches_two_hand_computed_steps()
    {
        // β = 0.9, lr = 0.1, p₀ = 1, g = 1 then 2.
        // b₁ = 0.9·0 + 1 = 1,   p₁ = 1 − 0.1·1 = 0.9
        // b₂ = 0.9·1 + 2 = 2.9, p₂ = 0.9 − 0.1·2.9 = 0.61
        var (p, s, updates) = Run(Optimizer.Momentum<double>(0.1, 0.9), Start, TwoGrads);
        Close([-0.1], updates[0]);
        Close([0.61], p);
        Close([2.9], s["0/trace"]);
    }

    [Fact]
    public void Nesterov_momentum_matches_two_hand_computed_steps()
    {
        // β = 0.9, lr = 0.1, p₀ = 1, g = 1 then 2; the step uses g + β·b with the new b.
        // b₁ = 1,   u₁ = 1 + 0.9·1 = 1.9,   p₁ = 1 − 0.19 = 0.81
        // b₂ = 2.9, u₂ = 2 + 0.9·2.9 = 4.61, p₂ = 0.81 − 0.461 = 0.349
        var (p, s, updates) = Run(Optimizer.Momentum<double>(0.1, 0.9, nesterov: true), Start, TwoGrads);
        Close([-0.19], updates[0]);
        Close([0.349], p);
        Close([2.9], s["0/trace"]);
    }

    [Fact]
    public void Trace_starts_from_zeros_shaped_like_the_params()
    {
        var s = Optimizer.Trace<double>(0.5).Init(P0);
        Assert.Equal(P0.ZerosLike(), s["trace"]);
        Assert.Equal(0, s.Step);
    }

    [Fact]
    public void Trace_rejects_a_beta_outside_zero_to_one() =>
        Assert.Equal("Optimizer.Trace: beta must lie in [0, 1), got 1",
            Assert.Throws<ArgumentException>(() => Optimizer.Trace<double>(1.0)).Message);
}
