using System.Numerics;
using FunctionalNets.Kernels;
using FunctionalNets.Random;

namespace FunctionalNets.Tests.Kernels;

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

    private static void AssertMatchesFormula<T>(int n, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (m, v) = (Sample.Normal<T>(Key.FromSeed(1), [n]), Sample.Uniform<T>(Key.FromSeed(2), [n], 0, 2));
        var g = Sample.Normal<T>(Key.FromSeed(3), [n]);
        T C(double x) => T.CreateTruncating(x);
        var k = new AdamConstants<T>(C(0.9), C(0.1), C(0.999), C(0.001), C(1e-8), C(1 - Math.Pow(0.9, 3)), C(1 - Math.Pow(0.999, 3)));
        var saved = Gemm.MaxThreads;
        Gemm.MaxThreads = threads;
        try
        {
            var (m2, v2, u) = AdamMoments.Step(m, v, g, k);
            for (var i = 0; i < n; i++)
                Assert.Equal(Formula(m.Span[i], v.Span[i], g.Span[i], k), (m2.Span[i], v2.Span[i], u.Span[i]));
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    // 5 (tail only), 1 000 (vectors and a tail in one chunk), 70 001 (many chunks, split across threads).
    [Theory]
    [InlineData(5, 1)]
    [InlineData(1_000, 2)]
    [InlineData(70_001, 1)]
    [InlineData(70_001, 2)]
    public void Float_matches_the_formula_operation_by_operation(int n, int threads) => AssertMatchesFormula<float>(n, threads);

    [Theory]
    [InlineData(1_000, 2)]
    [InlineData(70_001, 2)]
    public void Double_matches_the_formula_operation_by_operation(int n, int threads) => AssertMatchesFormula<double>(n, threads);
}
