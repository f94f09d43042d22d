using CsCheck;
using FunctionalNets.Optim;

namespace FunctionalNets.Tests.Optim;

public class ScheduleTests
{
    private static void At(Schedule s, long step, double expected) =>
        Assert.True(Math.Abs(s(step) - expected) <= 1e-15 * Math.Max(1, Math.Abs(expected)), $"step {step}: expected {expected}, got {s(step)}");

    [Fact]
    public void Constant_is_the_same_at_every_step()
    {
        At(Schedules.Constant(0.3), 0, 0.3);
        At(Schedules.Constant(0.3), 1_000_000, 0.3);
    }

    [Fact]
    public void StepDecay_multiplies_by_the_factor_every_period()
    {
        var s = Schedules.StepDecay(1.0, 10, 0.5);
        At(s, 0, 1.0);
        At(s, 9, 1.0);
        At(s, 10, 0.5);
        At(s, 25, 0.25);
    }

    [Fact]
    public void Exponential_decays_smoothly_by_rate_per_period()
    {
        var s = Schedules.Exponential(2.0, 0.5, 10);
        At(s, 0, 2.0);
        At(s, 5, Math.Sqrt(2));
        At(s, 10, 1.0);
        At(s, 20, 0.5);
    }

    [Fact]
    public void WarmupCosineFloor_ramps_from_the_first_step_then_falls_to_the_floor_and_stays()
    {
        var s = Schedules.WarmupCosineFloor(1e-3, 100, 2_000, 1e-4);
        At(s, 0, 1e-3 / 101);        // (0 + 1)/(100 + 1) of the peak: the first step already moves
        At(s, 99, 1e-3 * 100 / 101);
        At(s, 100, 1e-3);            // cosine at angle 0
        At(s, 1_050, 1e-4 + 0.5 * 0.9e-3); // half-way: cos(π/2) = 0
        At(s, 2_000, 1e-4);
        At(s, 5_000, 1e-4);
        Assert.Throws<ArgumentException>(() => Schedules.WarmupCosineFloor(1e-3, 100, 100, 1e-4));
    }

    [Fact]
    public void LinearWarmup_rises_linearly_then_holds_the_peak()
    {
        var s = Schedules.LinearWarmup(1e-3, 100);
        At(s, 0, 0);
        At(s, 50, 5e-4);
        At(s, 100, 1e-3);
        At(s, 1000, 1e-3);
        At(Schedules.LinearWarmup(1e-3, 100, init: 1e-4), 0, 1e-4);
        At(Schedules.LinearWarmup(1e-3, 0), 0, 1e-3);
    }

    [Fact]
    public void LinearWarmup_is_monotone() =>
        Gen.Select(Gen.Double[1e-6, 1], Gen.Long[1, 500]).Sample((peak, warmup) =>
        {
            var s = Schedules.LinearWarmup(peak, warmup);
            for (long t = 1; t <= 2 * warmup; t++) Assert.True(s(t) >= s(t - 1));
        });

    [Fact]
    public void CosineDecay_runs_from_lr_to_alpha_lr()
    {
        // lr·((1 − α)·½(1 + cos(π·t/D)) + α) with lr = 1, D = 100, α = 0.1.
        var s = Schedules.CosineDecay(1.0, 100, 0.1);
        At(s, 0, 1.0);
        At(s, 50, 0.55);
        At(s, 25, 0.1 + 0.9 * 0.5 * (1 + Math.Sqrt(0.5)));
        At(s, 100, 0.1);
        At(s, 500, 0.1);
        for (long t = 1; t <= 100; t++) Assert.True(s(t) <= s(t - 1));
    }

    [Fact]
    public void WarmupCosine_warms_up_to_the_peak_then_decays_to_the_end_value()
    {
        var s = Schedules.WarmupCosine(1.0, 10, 110, end: 0.1);
        At(s, 0, 0);
        At(s, 5, 0.5);
        At(s, 10, 1.0);
        At(s, 60, 0.1 + 0.9 * 0.5);
        At(s, 110, 0.1);
        At(s, 10_000, 0.1);
    }

    [Fact]
    public void Schedules_reject_bad_arguments()
    {
        Assert.Equal("Schedules.StepDecay: every must be positive, got 0",
            Assert.Throws<ArgumentException>(() => Schedules.StepDecay(1, 0, 0.5)).Message);
        Assert.Equal("Schedules.LinearWarmup: warmupSteps must be ≥ 0, got -1",
            Assert.Throws<ArgumentException>(() => Schedules.LinearWarmup(1, -1)).Message);
        Assert.Equal("Schedules.WarmupCosine: totalSteps must exceed warmupSteps, got 10 ≤ 10",
            Assert.Throws<ArgumentException>(() => Schedules.WarmupCosine(1, 10, 10)).Message);
        Assert.Equal("Schedules.Constant: value must be positive and finite, got NaN",
            Assert.Throws<ArgumentException>(() => Schedules.Constant(double.NaN)).Message);
    }
}
