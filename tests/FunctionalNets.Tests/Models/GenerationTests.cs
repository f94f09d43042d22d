using FunctionalNets.Models;
using FunctionalNets.Ops;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Models.GptFixtures;

namespace FunctionalNets.Tests.Models;

public class GenerationTests
{
    private static readonly Key Root = Key.FromSeed(5);

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(GptFixtures))]
    public void Greedy_generation_is_the_argmax_of_the_full_forward_on_the_last_window(string variant)
    {
        var cfg = Variants[variant];
        var p = Parameters<double>(cfg, 11);
        int[] prompt = [4, 2, 7];
        var generated = Generation.Generate(p, cfg, prompt, 12, SamplingOptions.Greedy, Root).ToList();
        Assert.Equal(12, generated.Count);                  // 3 + 12 tokens: the window slides past the context of 8
        var sequence = prompt.ToList();
        foreach (var id in generated)
        {
            var window = sequence.Skip(Math.Max(0, sequence.Count - cfg.Context)).ToArray();
            Assert.Equal(Argmax(Row(FullLogits(p, cfg, window), window.Length - 1)), id);
            sequence.Add(id);
        }
    }

    [Fact]
    public void A_prompt_longer_than_the_context_keeps_its_last_tokens()
    {
        var cfg = Variants["w6"];
        var p = Parameters<float>(cfg, 3);
        int[] prompt = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(Generation.Generate(p, cfg, prompt[2..], 5, new SamplingOptions(), Root),
            Generation.Generate(p, cfg, prompt, 5, new SamplingOptions(), Root));
    }

    [Fact]
    public void Same_key_gives_the_same_tokens_and_a_shorter_run_is_a_prefix()
    {
        var cfg = Variants["w6"];
        var p = Parameters<float>(cfg, 4);
        var options = new SamplingOptions(Temperature: 1.5);
        var a = Generation.Generate(p, cfg, [1], 20, options, Root).ToList();
        Assert.Equal(a, Generation.Generate(p, cfg, [1], 20, options, Root));
        Assert.Equal(a[..7], Generation.Generate(p, cfg, [1], 7, options, Root));
        Assert.NotEqual(a, Generation.Generate(p, cfg, [1], 20, options, Key.FromSeed(6)));
        Assert.True(a.Distinct().Count() > 2, string.Join(" ", a));
    }

    [Fact]
    public void Token_i_is_drawn_with_key_fold_in_i()
    {
        var cfg = Variants["w3"];
        var p = Parameters<float>(cfg, 9);
        var options = new SamplingOptions(Temperature: 0.9, TopK: 5);
        // The documented recipe, spelled out with the public pieces.
        var (logits, cache) = KvCache.Prefill(p, cfg, [3, 1]);
        var row = Slice.Forward(logits, 0, 1, 2).Reshape(Shape.Of(cfg.Vocab));    // the last prompt position
        var expected = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            var id = Sampling.Sample(row, options, Root.FoldIn(i));
            expected.Add(id);
            (row, cache) = KvCache.Step(p, cfg, cache, id);
        }
        Assert.Equal(expected, Generation.Generate(p, cfg, [3, 1], 10, options, Root));
    }

    [Fact]
    public void Zero_new_tokens_is_an_empty_stream() =>
        Assert.Empty(Generation.Generate(Parameters<float>(Variants["w3"], 1), Variants["w3"], [1], 0, SamplingOptions.Greedy, Root));

    [Fact]
    public void Bad_arguments_are_reported_when_called_not_when_enumerated()
    {
        var cfg = Variants["w3"];
        var p = Parameters<float>(cfg, 1);
        Assert.Contains("prompt is empty", Assert.Throws<ArgumentException>(() => Generation.Generate(p, cfg, [], 3, SamplingOptions.Greedy, Root)).Message);
        Assert.Contains("prompt id 11 at position 1 is out of range for V = 11",
            Assert.Throws<ArgumentException>(() => Generation.Generate(p, cfg, [0, 11], 3, SamplingOptions.Greedy, Root)).Message);
        Assert.Contains("got -1", Assert.Throws<ArgumentException>(() => Generation.Generate(p, cfg, [0], -1, SamplingOptions.Greedy, Root)).Message);
    }
}
