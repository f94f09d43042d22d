using FunctionalNets.Optim;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

public class AddDecayedWeightsTests
{
    [Fact]
    public void Decay_adds_wd_times_the_param_where_the_mask_selects()
    {
        // u = g + 0.5·p on dense/w only (rank 2); dense/b (rank 1) passes through.
        var t = Optimizer.AddDecayedWeights<double>(0.5, ParamMask.MatricesOnly);
        var (u, _) = t.Update(Grads[0], t.Init(P0), P0);
        Close([0.1, -0.2, 0.3 + 1.0, 0.0 - 0.125, -0.4 + 0.375, 2.5 + 0.75], u);
    }

    [Fact]
    public void Decay_without_a_mask_covers_every_param()
    {
        var t = Optimizer.AddDecayedWeights<double>(0.5);
        var (u, _) = t.Update(P0.ZerosLike(), t.Init(P0), P0);
        Close([.. Flat(P0).Select(w => 0.5 * w)], u);
    }

    [Fact]
    public void A_custom_mask_sees_the_path()
    {
        var t = Optimizer.AddDecayedWeights<double>(1.0, (path, _) => path.EndsWith("/b", StringComparison.Ordinal));
        var (u, _) = t.Update(P0.ZerosLike(), t.Init(P0), P0);
        Close([0.5, -1.0, 0, 0, 0, 0], u);
    }

    [Fact]
    public void Ready_made_masks_select_by_rank()
    {
        Assert.True(ParamMask.All("b", Tensor.Vector(1.0)));
        Assert.False(ParamMask.MatricesOnly("b", Tensor.Vector(1.0)));
        Assert.True(ParamMask.MatricesOnly("w", Tensor.Matrix([1.0])));
        Assert.True(ParamMask.MatricesOnly("conv", Tensor.Zeros<double>([1, 1, 1])));
    }

    [Fact]
    public void Decay_rejects_a_negative_rate() =>
        Assert.Equal("Optimizer.AddDecayedWeights: weightDecay must be finite and ≥ 0, got -0.1",
            Assert.Throws<ArgumentException>(() => Optimizer.AddDecayedWeights<double>(-0.1)).Message);
}
