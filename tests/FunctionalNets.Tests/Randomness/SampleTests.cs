using FunctionalNets.Randomness;
using NormalDistribution = MathNet.Numerics.Distributions.Normal;

namespace FunctionalNets.Tests.Randomness;

public class SampleTests
{
    private const int N = 100_000;
    private static readonly Key Root = Key.FromSeed(2024);

    private static (double Mean, double Variance) Moments(ReadOnlySpan<double> x)
    {
        var mean = 0.0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        var variance = 0.0;
        foreach (var v in x) variance += (v - mean) * (v - mean);
        return (mean, variance / x.Length);
    }

    [Fact]
    public void Uniform_lies_in_the_half_open_interval_with_the_right_mean_and_variance()
    {
        // U[a, b): mean (a+b)/2, variance (b−a)²/12; the sample mean has sd σ/√N, the sample variance sd
        // √((μ₄ − σ⁴)/N) with μ₄ = (b−a)⁴/80. Bounds are five standard deviations.
        var (a, b) = (-2.0, 3.0);
        var x = Sample.Uniform<double>(Root, [N], a, b).Span;
        Assert.True(x.ToArray().All(v => v >= a && v < b));
        var (mean, variance) = Moments(x);
        var sigma2 = (b - a) * (b - a) / 12;
        var mu4 = Math.Pow(b - a, 4) / 80;
        Assert.InRange(mean, 0.5 - 5 * Math.Sqrt(sigma2 / N), 0.5 + 5 * Math.Sqrt(sigma2 / N));
        var varSd = Math.Sqrt((mu4 - sigma2 * sigma2) / N);
        Assert.InRange(variance, sigma2 - 5 * varSd, sigma2 + 5 * varSd);
    }

    [Fact]
    public void Uniform_fills_ten_equal_bins_evenly()
    {
        // Each bin count is Binomial(N, 1/10): sd √(N·0.1·0.9) ≈ 95.
        var counts = new int[10];
        foreach (var v in Sample.Uniform<double>(Root, [N]).Span) counts[(int)(v * 10)]++;
        var sd = Math.Sqrt(N * 0.1 * 0.9);
        Assert.All(counts, c => Assert.InRange(c, N / 10 - 5 * sd, N / 10 + 5 * sd));
    }

    [Fact]
    public void Uniform_in_float_never_rounds_up_to_high()
    {
        // In float32 the only value in [1, 1 + 2⁻²³) is 1; draws from [1, 1 + 10⁻⁷) above 1 + 2⁻²⁴ would round to the
        // excluded upper end, so each must come out as 1.
        var x = Sample.Uniform<float>(Root, [1000], 1.0, 1.0 + 1e-7);
        Assert.All(x.ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Uniform_in_float_is_the_double_draw_rounded()
    {
        var d = Sample.Uniform<double>(Root, [1000], -1, 1).Span;
        var f = Sample.Uniform<float>(Root, [1000], -1, 1).Span;
        for (var i = 0; i < d.Length; i++) Assert.Equal((float)d[i], f[i]);
    }

    [Fact]
    public void Normal_has_mean_zero_and_standard_deviation_one()
    {
        // Sample mean sd 1/√N; sample variance sd √(2/N) for a normal. Bounds are five standard deviations.
        var (mean, variance) = Moments(Sample.Normal<double>(Root, [N]).Span);
        Assert.InRange(mean, -5 / Math.Sqrt(N), 5 / Math.Sqrt(N));
        Assert.InRange(variance, 1 - 5 * Math.Sqrt(2.0 / N), 1 + 5 * Math.Sqrt(2.0 / N));
    }

    [Fact]
    public void Normal_passes_a_Kolmogorov_Smirnov_test_against_the_normal_cdf()
    {
        // D = sup |F_N(x) − Φ(x)|; at significance 0.001 the critical value is √(−ln(0.0005)/2)/√N ≈ 1.949/√N.
        var x = Sample.Normal<double>(Root.FoldIn("ks"), [N], mean: 3, std: 2).ToArray();
        Array.Sort(x);
        var d = 0.0;
        for (var i = 0; i < N; i++)
        {
            var f = NormalDistribution.CDF(3, 2, x[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / N - f, f - (double)i / N));
        }
        Assert.True(d < Math.Sqrt(-Math.Log(0.0005) / 2) / Math.Sqrt(N), $"KS statistic {d}");
    }

    [Fact]
    public void Normal_with_zero_std_is_the_mean() =>
        Assert.All(Sample.Normal<double>(Root, [5], mean: 1.5, std: 0).ToArray(), v => Assert.Equal(1.5, v));

    [Fact]
    public void A_longer_draw_extends_a_shorter_one_whatever_the_shape()
    {
        var shortU = Sample.Uniform<double>(Root, [7]).Span;
        var longU = Sample.Uniform<double>(Root, [3, 5]).Span;
        Assert.True(shortU.SequenceEqual(longU[..7]));
        var shortN = Sample.Normal<float>(Root, [2, 2]).Span;
        var longN = Sample.Normal<float>(Root, [20]).Span;
        Assert.True(shortN.SequenceEqual(longN[..4]));
        var shortI = Sample.Integers(Root, [5], 9).Span;
        var longI = Sample.Integers(Root, [2, 3, 4], 9).Span;
        Assert.True(shortI.SequenceEqual(longI[..5]));
    }

    [Fact]
    public void Element_i_is_the_per_index_draw()
    {
        var u = Sample.Uniform<double>(Root, [4]).Span;
        var z = Sample.Normal<double>(Root, [4]).Span;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Sample.Unit(Root, (uint)i), u[i]);
            Assert.Equal(Sample.StandardNormal(Root, (uint)i), z[i]);
        }
    }

    [Fact]
    public void Unit_maps_the_block_words_to_53_bits()
    {
        // u = (a·2²¹ + ⌊b/2¹¹⌋)·2⁻⁵³ for the first two words of block (i, 0, 0, 0).
        var (a, b, _, _) = Root.Block(3, 0, 0, 0);
        Assert.Equal((a * Math.Pow(2, 21) + Math.Floor(b / Math.Pow(2, 11))) / Math.Pow(2, 53), Sample.Unit(Root, 3));
    }

    [Fact]
    public void Uniform_and_normal_streams_of_one_key_do_not_share_bits()
    {
        var u = Sample.Uniform<double>(Root, [100]).Span;
        var (a, b, _, _) = Root.Block(0, 0, 0, 1);
        Assert.NotEqual((a * Math.Pow(2, 21) + Math.Floor(b / Math.Pow(2, 11))) / Math.Pow(2, 53), u[0]);
    }

    [Fact]
    public void Integers_cover_the_range_evenly()
    {
        var counts = new int[7];
        foreach (var v in Sample.Integers(Root, [N], 7).Span) counts[v]++;
        var sd = Math.Sqrt(N * (1.0 / 7) * (6.0 / 7));
        Assert.All(counts, c => Assert.InRange(c, N / 7.0 - 5 * sd, N / 7.0 + 5 * sd));
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(double.NegativeInfinity, 0.0)]
    [InlineData(0.0, double.NaN)]
    public void Uniform_rejects_an_empty_or_infinite_interval(double low, double high)
    {
        var ex = Assert.Throws<ArgumentException>(() => Sample.Uniform<double>(Root, [2], low, high));
        Assert.Contains("Sample.Uniform", ex.Message);
        Assert.Contains($"[{low}, {high})", ex.Message);
    }

    [Fact]
    public void Normal_and_integers_reject_bad_parameters()
    {
        Assert.Contains("std -1", Assert.Throws<ArgumentException>(() => Sample.Normal<double>(Root, [2], 0, -1)).Message);
        Assert.Contains("Sample.Integers: n must be positive, got 0", Assert.Throws<ArgumentException>(() => Sample.Integers(Root, [2], 0)).Message);
    }
}
