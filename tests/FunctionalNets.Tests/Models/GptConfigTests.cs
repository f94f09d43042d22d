using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Models;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Models;

public class GptConfigTests
{
    // WORKLOADS.md W6: 4 layers, 4 heads, width 128, context 64, hidden 512, no biases, gain-only norms, exact GELU,
    // tied head, scaled residual init; V = 65 characters.
    internal static readonly GptConfig W6 = new(Vocab: 65, Context: 64, Channels: 128, Layers: 4, Heads: 4, Hidden: 512,
        TieWeights: true, Bias: false, NormBias: false, Activation: GptActivation.Gelu, ScaledResidualInit: true);

    private static Params<float> InitW6() => Net.Init(Gpt.Logits<float>(W6, Tensor.Zeros<int>([1, 4])), Key.FromSeed(3));

    private static List<string> Messages(LanguageExt.Validation<LanguageExt.Common.Error, GptConfig> v) =>
        v.Match(Succ: c => throw new Xunit.Sdk.XunitException($"expected failures, got {c}"), Fail: es => es.Map(e => e.Message).ToList());

    [Fact]
    public void W6_config_has_804096_parameters()
    {
        // wte 65·128 + wpe 64·128 + 4 × (two gains 2·128 + four attention matrices 4·128² + fc 128·512 + proj 512·128)
        // + final gain 128; no head matrix (tied), no biases.
        var expected = 65 * 128 + 64 * 128 + 4 * (2 * 128 + 4 * 128 * 128 + 128 * 512 + 512 * 128) + 128;
        Assert.Equal(804_096, expected);
        Assert.Equal(expected, InitW6().Count);
    }

    [Fact]
    public void W6_config_has_the_expected_paths()
    {
        var perBlock = new[] { "attn/wk/w", "attn/wo/w", "attn/wq/w", "attn/wv/w", "ln1/g", "ln2/g", "mlp/fc/w", "mlp/proj/w" };
        var expected = Enumerable.Range(0, 4).SelectMany(i => perBlock.Select(s => $"blocks/{i}/{s}"))
            .Concat(["ln_f/g", "wpe", "wte"]).Order(StringComparer.Ordinal);
        Assert.Equal(expected, InitW6().Paths);
    }

    [Fact]
    public void Scaled_residual_init_shrinks_only_the_output_projections()
    {
        var p = InitW6();
        static double Std(Tensor<float> t) => Math.Sqrt(t.Data.Sum(v => (double)v * v) / t.Size);
        var scaled = 0.02 / Math.Sqrt(2 * 4);
        // 16,384 and 65,536 draws: the sample std is within a few per cent of σ (relative error ≈ 1/√(2N) < 0.6 %).
        Assert.Equal(scaled, Std(p["blocks/1/attn/wo/w"]), scaled * 0.05);
        Assert.Equal(scaled, Std(p["blocks/1/mlp/proj/w"]), scaled * 0.05);
        Assert.Equal(0.02, Std(p["blocks/1/attn/wq/w"]), 0.02 * 0.05);
        Assert.Equal(0.02, Std(p["blocks/1/mlp/fc/w"]), 0.02 * 0.05);
        Assert.Equal(0.02 / Math.Sqrt(8), Gpt.ResidualStd(W6), 1e-15);
    }

    [Fact]
    public void Defaults_keep_the_W3_model()
    {
        var cfg = new GptConfig(Vocab: 65, Context: 64, Channels: 128, Layers: 4, Heads: 4, Hidden: 512);
        Assert.True(cfg is { Bias: true, NormBias: true, NormEps: 1e-5, Activation: GptActivation.GeluTanh, ScaledResidualInit: false, TieWeights: false });
        Assert.Equal(0.02, Gpt.ResidualStd(cfg));
    }

    [Fact]
    public void Create_reports_every_invalid_field_together()
    {
        var errors = Messages(GptConfig.Create(Vocab: 0, Context: -1, Channels: 10, Layers: 0, Heads: 3, Hidden: 0,
            Dropout: 1, NormEps: 0));
        Assert.Equal(
        [
            "vocab = 0 must be > 0", "context = -1 must be > 0", "layers = 0 must be > 0", "hidden = 0 must be > 0",
            "channels = 10 do not split into heads = 3", "dropout = 1 must be in [0, 1)", "norm_eps = 0 must be finite and > 0",
        ], errors);
    }

    [Fact]
    public void Create_rejects_zero_heads_and_width_and_undefined_enums()
    {
        var errors = Messages(GptConfig.Create(Vocab: 5, Context: 4, Channels: 0, Layers: 1, Heads: 0, Dropout: double.NaN,
            NormEps: double.PositiveInfinity, Norm: (NormPlacement)7, Activation: (GptActivation)9));
        Assert.Equal(
        [
            "channels = 0 must be > 0", "heads = 0 must be > 0", "dropout = NaN must be in [0, 1)",
            "norm_eps = Infinity must be finite and > 0", "norm = 7 is not pre or post", "activation = 9 is not gelu_tanh or gelu",
        ], errors);
    }

    [Fact]
    public void Constructor_throws_one_message_naming_every_bad_field()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GptConfig(Vocab: -5, Context: 8, Channels: 10, Layers: 2, Heads: 4, Dropout: -0.1));
        Assert.Equal("GptConfig: vocab = -5 must be > 0; channels = 10 do not split into heads = 4; dropout = -0.1 must be in [0, 1)", ex.Message);
    }

    [Fact]
    public void Create_gives_the_same_config_as_the_constructor()
    {
        var made = GptConfig.Create(Vocab: 65, Context: 64, Channels: 128, Layers: 4, Heads: 4, Hidden: 512, TieWeights: true,
            Bias: false, NormBias: false, Activation: GptActivation.Gelu, ScaledResidualInit: true);
        Assert.Equal(W6, made.Match(Succ: c => c, Fail: es => throw new Xunit.Sdk.XunitException(string.Join("; ", es))));
    }

    [Fact]
    public void Json_has_stable_snake_case_fields()
    {
        Assert.Equal(
            """{"vocab":65,"context":64,"channels":128,"layers":4,"heads":4,"hidden":512,"tie_weights":true,"norm":"pre","dropout":0,"bias":false,"norm_bias":false,"norm_eps":1E-05,"activation":"gelu","scaled_residual_init":true}""",
            W6.ToJson());
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Json_round_trips(GptConfig cfg)
    {
        var back = GptConfig.FromJson(cfg.ToJson()).Match(Succ: c => c, Fail: es => throw new Xunit.Sdk.XunitException(string.Join("; ", es)));
        Assert.Equal(cfg, back);
        Assert.Equal(cfg.ToJson(), back.ToJson());
    }

    public static TheoryData<GptConfig> Configs => new()
    {
        W6,
        new GptConfig(Vocab: 7, Context: 6, Channels: 8, Layers: 2, Heads: 2),
        new GptConfig(Vocab: 7, Context: 6, Channels: 8, Layers: 2, Heads: 2, Norm: NormPlacement.Post, Dropout: 0.1, NormEps: 1e-6),
    };

    [Fact]
    public void Json_with_only_the_shape_takes_the_defaults()
    {
        var read = GptConfig.FromJson("""{"vocab":7,"context":6,"channels":8,"layers":2,"heads":2}""");
        Assert.Equal(new GptConfig(Vocab: 7, Context: 6, Channels: 8, Layers: 2, Heads: 2), read.Match(Succ: c => c, Fail: _ => null!));
    }

    [Fact]
    public void Json_reports_missing_and_invalid_fields_together()
    {
        Assert.Equal(["context is missing", "heads is missing"],
            Messages(GptConfig.FromJson("""{"vocab":7,"channels":8,"layers":2}""")));
        Assert.Equal(["vocab = 0 must be > 0", "channels = 9 do not split into heads = 2", "norm_eps = -1 must be finite and > 0"],
            Messages(GptConfig.FromJson("""{"vocab":0,"context":6,"channels":9,"layers":2,"heads":2,"norm_eps":-1}""")));
    }

    [Theory]
    [InlineData("""{"vocab":7,"context":6,"channels":8,"layers":2,"heads":2,"colour":1}""", "colour")]
    [InlineData("""{"vocab":7,"vocab":8,"context":6,"channels":8,"layers":2,"heads":2}""", "vocab")]
    [InlineData("""{"vocab":7,"context":6,"channels":8,"layers":2,"heads":2,"norm":"sideways"}""", "norm")]
    [InlineData("""{"vocab":7,"context":6,"channels":8,"layers":2,"heads":2,"activation":1}""", "activation")]
    [InlineData("""{"vocab":"7","context":6,"channels":8,"layers":2,"heads":2}""", "vocab")]
    [InlineData("""{"vocab":7,""", "GptConfig JSON")]
    [InlineData("null", "null")]
    public void Json_rejects_malformed_input_with_a_message_naming_the_problem(string json, string mentioned)
    {
        var errors = Messages(GptConfig.FromJson(json));
        Assert.Single(errors);
        Assert.StartsWith("GptConfig JSON", errors[0]);
        Assert.Contains(mentioned, errors[0]);
    }
}
