using System.Numerics;
using FunctionalNets.Kernels;
using FunctionalNets.Optim;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class AdamMomentsTests
{
    // The documented formula, one operation at a time in the documented order, element by element.
    private static (T M, T V, T U) Formula<T>(T m, T v, T g, AdamConstants<T> k)
        where T : IFloatingPointIeee754<T>
    {
        var (mb, gk) = (m * k.Beta1, g * k.Keep1);
        var m2 = mb + gk;
        var (vb, gg) = (v * k.Beta2, g * g);
        var v2 = vb + gg * k.Keep2;
        var root = T.Sqrt(v2 / k.Correction2);
        return (m2, v2, m2 / (root + k.Eps) / k.Correction1);
    }

    private static T C<T>(double x)
        where T : IFloatingPointIeee754<T> => T.CreateTruncating(x);

    // Runs step on n elements with the given thread count and compares each element with expected(m, v, g, p, i).
    private static void AssertElementwise<T>(int n, int threads, Func<Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, (Tensor<T> M, Tensor<T> V, Tensor<T> U)> step,
        Func<T, T, T, T, (T M, T V, T U)> expected)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, v) = (Sample.Normal<T>(Key.FromSeed(1), [n]), Sample.Uniform<T>(Key.FromSeed(2), [n], 0, 2));
        var (g, p) = (Sample.Normal<T>(Key.FromSeed(3), [n]), Sample.Normal<T>(Key.FromSeed(4), [n]));
        OnThreads.Run(threads, () =>
        {
            var (m2, v2, u) = step(m, v, g, p);
            for (var i = 0; i < n; i++)
                Assert.Equal(expected(m.Span[i], v.Span[i], g.Span[i], p.Span[i]), (m2.Span[i], v2.Span[i], u.Span[i]));
        });
    }

    private static AdamConstants<T> AtStep3<T>()
        where T : IFloatingPointIeee754<T> =>
        new(C<T>(0.9), C<T>(0.1), C<T>(0.999), C<T>(0.001), C<T>(1e-8), C<T>(1 - Math.Pow(0.9, 3)), C<T>(1 - Math.Pow(0.999, 3)));

    private static void AssertAdamMatchesFormula<T>(int n, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var k = AtStep3<T>();
        AssertElementwise<T>(n, threads, (m, v, g, _) => AdamPass.Step(m, v, g, k), (m, v, g, _) => Formula(m, v, g, k));
    }

    // AdamW's chain after Adam, one operation at a time: ((p·wd) + u)·scale when decayed, u·scale otherwise.
    private static void AssertDecayScaleMatchesFormula<T>(int n, int threads, bool decayed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (k, wd, scale) = (AtStep3<T>(), C<T>(0.01), C<T>(-3e-4));
        AssertElementwise<T>(n, threads, (m, v, g, p) => AdamPass.StepDecayScale(m, v, g, k, decayed ? p : null, wd, scale), (m, v, g, p) =>
        {
            var (m2, v2, u) = Formula(m, v, g, k);
            var pw = p * wd;
            var withDecay = decayed ? pw + u : u;
            return (m2, v2, withDecay * scale);
        });
    }

    // 5 (tail only), 1 000 (vectors and a tail in one chunk, too small to fork), 70 001 (many chunks, split across threads).
    [Theory]
    [InlineData(5, 1)]
    [InlineData(1_000, 1)]
    [InlineData(70_001, 1)]
    [InlineData(70_001, 2)]
    public void Float_matches_the_formula_operation_by_operation(int n, int threads) => AssertAdamMatchesFormula<float>(n, threads);

    [Theory]
    [InlineData(1_000, 1)]
    [InlineData(70_001, 2)]
    public void Double_matches_the_formula_operation_by_operation(int n, int threads) => AssertAdamMatchesFormula<double>(n, threads);

    [Theory]
    [InlineData(5, 1, true)]
    [InlineData(1_000, 1, false)]
    [InlineData(70_001, 1, true)]
    [InlineData(70_001, 2, true)]
    [InlineData(70_001, 2, false)]
    public void Float_decay_and_scale_match_the_formula_operation_by_operation(int n, int threads, bool decayed) =>
        AssertDecayScaleMatchesFormula<float>(n, threads, decayed);

    [Theory]
    [InlineData(5, 1, false)]
    [InlineData(1_000, 1, true)]
    [InlineData(70_001, 1, true)]
    [InlineData(70_001, 2, true)]
    public void Double_decay_and_scale_match_the_formula_operation_by_operation(int n, int threads, bool decayed) =>
        AssertDecayScaleMatchesFormula<double>(n, threads, decayed);

    [Fact]
    public void Decayed_weights_of_another_length_are_refused()
    {
        var x = Tensor.Zeros<float>([4]);
        var e = Assert.Throws<ArgumentException>(() => AdamPass.StepDecayScale(x, x, x, AtStep3<float>(), Tensor.Zeros<float>([3]), 0.1f, -1f));
        Assert.Equal("AdamMoments: 3 decayed weights for 4 gradients", e.Message);
    }
}
