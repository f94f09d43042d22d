using FunctionalNets.Models;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Models;

public class SamplingTests
{
    private static readonly Key Root = Key.FromSeed(42);

    private static Tensor<double> Logits(params double[] z) => Tensor.Vector<double>(z);

    // Draw i uses Root.FoldIn(i), as the generator does; returns the fraction of draws of each id.
    private static double[] Frequencies(Tensor<double> logits, SamplingOptions options, int draws)
    {
        var counts = new double[logits.Size];
        for (var i = 0; i < draws; i++) counts[Sampling.Sample(logits, options, Root.FoldIn(i))]++;
        return [.. counts.Select(c => c / draws)];
    }

    [Fact]
    public void Greedy_takes_the_argmax_and_the_lowest_id_on_ties()
    {
        Assert.Equal(1, Sampling.Sample(Logits(0.5, 3, 3, 2), SamplingOptions.Greedy, Root));
        Assert.Equal(2, Sampling.Sample(Logits(double.NegativeInfinity, -7, -1, -1.5), SamplingOptions.Greedy, Root));
    }

    [Fact]
    public void Top_k_of_one_and_a_tiny_top_p_equal_greedy()
    {
        for (var trial = 0; trial < 50; trial++)
        {
            var z = Sample.Normal<double>(Root.FoldIn("logits").FoldIn(trial), [9]).ToArray();
            if (trial % 5 == 0) z[7] = z[2] = z.Max() + 1;       // a tie for the top: the lower id wins
            var greedy = Sampling.Sample(Logits(z), SamplingOptions.Greedy, Root);
            Assert.Equal(GptFixtures.Argmax(z), greedy);
            Assert.Equal(greedy, Sampling.Sample(Logits(z), new SamplingOptions(TopK: 1), Root.FoldIn(trial)));
            Assert.Equal(greedy, Sampling.Sample(Logits(z), new SamplingOptions(Temperature: 2, TopP: 1e-9), Root.FoldIn(trial)));
        }
    }

    [Fact]
    public void Same_key_gives_the_same_id_and_keys_spread_the_draws()
    {
        var z = Logits(0.1, 0.2, 0.3, 0.0);
        var options = new SamplingOptions();
        var first = Enumerable.Range(0, 64).Select(i => Sampling.Sample(z, options, Root.FoldIn(i))).ToArray();
        var again = Enumerable.Range(0, 64).Select(i => Sampling.Sample(z, options, Root.FoldIn(i))).ToArray();
        Assert.Equal(first, again);
        Assert.Equal(4, first.Distinct().Count());
    }

    // 4,000 draws: a frequency's standard error is at most √(0.25/4000) ≈ 0.008, so 0.03 is a loose (≈ 4σ) bound.
    private const int Draws = 4000;
    private const double Bound = 0.03;

    private static void Near(double[] expected, double[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < Bound, $"id {i}: expected ≈ {expected[i]}, drew {actual[i]}");
    }

    [Fact]
    public void Draws_follow_the_softmax_of_the_logits()
    {
        // logits ln p give back p.
        Near([0.5, 0.3, 0.2], Frequencies(Logits(Math.Log(0.5), Math.Log(0.3), Math.Log(0.2)), new SamplingOptions(), Draws));
    }

    [Fact]
    public void Temperature_raises_the_probabilities_to_the_power_one_over_tau()
    {
        // τ = 2: p_i ∝ p_i^(1/2): √0.5, √0.3, √0.2 normalised.
        var root = new[] { Math.Sqrt(0.5), Math.Sqrt(0.3), Math.Sqrt(0.2) };
        var expected = root.Select(r => r / root.Sum()).ToArray();
        Near(expected, Frequencies(Logits(Math.Log(0.5), Math.Log(0.3), Math.Log(0.2)), new SamplingOptions(Temperature: 2), Draws));
    }

    [Fact]
    public void Top_k_and_top_p_renormalise_over_the_kept_ids()
    {
        var z = Logits(Math.Log(0.2), Math.Log(0.5), Math.Log(0.3));
        // Keep {1, 2}: 0.5/0.8 and 0.3/0.8.
        Near([0, 0.625, 0.375], Frequencies(z, new SamplingOptions(TopK: 2), Draws));
        // p = 0.7: 0.5 < 0.7 ≤ 0.5 + 0.3, so again {1, 2}.
        Near([0, 0.625, 0.375], Frequencies(z, new SamplingOptions(TopP: 0.7), Draws));
        // p = 0.5 is reached by id 1 alone.
        Assert.Equal([0, 1.0, 0], Frequencies(z, new SamplingOptions(TopP: 0.5), 200));
    }

    [Fact]
    public void Masked_logits_are_never_drawn()
    {
        var z = Logits(double.NegativeInfinity, 0, double.NegativeInfinity, 0);
        var freq = Frequencies(z, new SamplingOptions(Temperature: 5), 400);
        Assert.Equal(0, freq[0]);
        Assert.Equal(0, freq[2]);
    }

    [Fact]
    public void Float_logits_sample_like_double_ones()
    {
        var z = Sample.Normal<double>(Root, [17]);
        var options = new SamplingOptions(Temperature: 0.8, TopK: 10, TopP: 0.9);
        for (var i = 0; i < 100; i++)
            Assert.Equal(Sampling.Sample(z.ToFloat().ToDouble(), options, Root.FoldIn(i)), Sampling.Sample(z.ToFloat(), options, Root.FoldIn(i)));
    }

    [Theory]
    [InlineData(double.NaN, "NaN at id 1")]
    [InlineData(double.PositiveInfinity, "at id 1")]
    public void Unsampleable_logits_are_errors_naming_the_id(double bad, string mentioned)
    {
        var ex = Assert.Throws<ArgumentException>(() => Sampling.Sample(Logits(0, bad, 1), new SamplingOptions(), Root));
        Assert.Contains(mentioned, ex.Message);
    }

    [Fact]
    public void A_row_of_minus_infinity_is_an_error() =>
        Assert.Contains("every logit is −∞", Assert.Throws<ArgumentException>(() =>
            Sampling.Sample(Logits(double.NegativeInfinity, double.NegativeInfinity), SamplingOptions.Greedy, Root)).Message);

    [Fact]
    public void Options_report_every_bad_field_at_once()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SamplingOptions(Temperature: -1, TopK: -2, TopP: 0));
        Assert.Equal("SamplingOptions: temperature = -1 must be finite and ≥ 0; top_k = -2 must be ≥ 0 (0 keeps every id); top_p = 0 must be in (0, 1]", ex.Message);
        var errors = SamplingOptions.Create(Temperature: double.NaN, TopP: 1.5).Match(Succ: _ => [], Fail: es => es.Map(e => e.Message).ToList());
        Assert.Equal(["temperature = NaN must be finite and ≥ 0", "top_p = 1.5 must be in (0, 1]"], errors);
    }
}
