using CsCheck;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

public class ClipByGlobalNormTests
{
    private static readonly Params<double> G13 = Tree(("a", Tensor.Vector(3.0, 4.0)), ("b", Tensor.Matrix([12.0])));

    [Fact]
    public void Clip_scales_a_norm_13_gradient_down_to_the_max_norm()
    {
        // ‖(3, 4, 12)‖ = 13; clipping to 6.5 halves every element.
        var clip = Optimizer.ClipByGlobalNorm<double>(6.5);
        var (u, s) = clip.Update(G13, clip.Init(G13), G13);
        Close([1.5, 2.0, 6.0], u);
        Assert.Equal(6.5, u.GlobalNorm());
        Assert.Equal(1, s.Step);
    }

    [Fact]
    public void Clip_leaves_a_gradient_at_or_below_the_max_norm_untouched()
    {
        foreach (var maxNorm in new[] { 13.0, 20.0 })
        {
            var clip = Optimizer.ClipByGlobalNorm<double>(maxNorm);
            Assert.Same(G13, clip.Update(G13, clip.Init(G13), G13).Updates);
        }
    }

    [Fact]
    public void Clipped_norm_equals_the_max_norm_and_keeps_the_direction() =>
        Clipped_norm_equals_the_max_norm_and_keeps_the_direction_with(seed: null);

    private static void Clipped_norm_equals_the_max_norm_and_keeps_the_direction_with(string? seed) =>
        Gen.Select(Gen.Double[-100, 100].Array[1, 20], Gen.Double[-100, 100].Array[1, 20], Gen.Double[0.01, 10]).Sample((a, b, maxNorm) =>
        {
            var g = Tree(("a", Tensor.Vector<double>(a)), ("b", Tensor.Vector<double>(b)));
            var clip = Optimizer.ClipByGlobalNorm<double>(maxNorm);
            var u = clip.Update(g, clip.Init(g), g).Updates;
            var norm = g.GlobalNorm();
            var expected = Math.Min(norm, maxNorm);
            Assert.True(Math.Abs(u.GlobalNorm() - expected) <= 1e-12 * expected, $"norm {u.GlobalNorm()} vs {expected}");
            var (fg, fu) = (Flat(g), Flat(u));
            var factor = norm == 0 ? 1 : expected / norm; // an all-zero gradient is left as it is
            for (var i = 0; i < fg.Length; i++)
                Assert.True(Math.Abs(fu[i] - fg[i] * factor) <= 1e-12 * Math.Abs(fg[i]) + 1e-300);
        }, seed: seed);

    [Fact]
    public void Clip_leaves_an_all_zero_gradient_unchanged_regression() =>
        Clipped_norm_equals_the_max_norm_and_keeps_the_direction_with(seed: "dx-d8ITmc0d3");

    [Fact]
    public void Clip_passes_a_nan_gradient_through_for_the_report_to_count()
    {
        var g = Tree(("a", Tensor.Vector(double.NaN, 1e6)));
        var clip = Optimizer.ClipByGlobalNorm<double>(1.0);
        Assert.Equal(1L, clip.Update(g, clip.Init(g), g).Updates.NonFiniteCount());
    }

    [Fact]
    public void Clip_rejects_a_non_positive_max_norm() =>
        Assert.Equal("Optimizer.ClipByGlobalNorm: maxNorm must be finite and > 0, got 0",
            Assert.Throws<ArgumentException>(() => Optimizer.ClipByGlobalNorm<double>(0)).Message);
}
