using System.Text.Json;
using System.Text.Json.Serialization;
using FunctionalNets.Layers;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace FunctionalNets.Models;

/// <summary>The feed-forward activation of a GPT's blocks.</summary>
public enum GptActivation
{
    /// <summary>GELU by the tanh approximation, <see cref="Ops.GeluTanh"/> (GPT-2's).</summary>
    GeluTanh,

    /// <summary>Exact GELU, <c>x·Φ(x)</c> with the erf, <see cref="Ops.Gelu"/>.</summary>
    Gelu,
}

/// <summary>
/// The shape of a GPT-style language model, validated when made: the constructor throws one
/// <see cref="ArgumentException"/> that lists every invalid field, <see cref="Create"/> returns them as a
/// <see cref="Validation{FAIL, SUCCESS}"/>, and <see cref="FromJson"/> reads the form <see cref="ToJson"/> writes.
/// </summary>
/// <remarks>
/// The properties have no setters, so every instance has passed the checks (a <c>with</c> expression, which would
/// skip them, does not compile). The defaults of the optional fields give W3's model: biases everywhere, layer
/// norms with gain and bias (ε 1e-5), tanh GELU, an untied head, N(0, 0.02) for every linear weight. W6's model is
/// <c>Bias: false, NormBias: false, Activation: Gelu, TieWeights: true, ScaledResidualInit: true</c>.
/// </remarks>
public sealed record GptConfig
{
    /// <summary>A configuration; throws an <see cref="ArgumentException"/> that names every invalid field at once.</summary>
    /// <param name="Vocab">V, the vocabulary size.</param>
    /// <param name="Context">The longest sequence (learned positions).</param>
    /// <param name="Channels">C, the model width.</param>
    /// <param name="Layers">How many transformer blocks.</param>
    /// <param name="Heads">Attention heads per block (C must divide by it).</param>
    /// <param name="Hidden">Feed-forward width; 4C when null.</param>
    /// <param name="TieWeights">Use the token embedding (transposed) as the output head: logits = LN(x)·wteᵀ.</param>
    /// <param name="Norm">Pre-LN (default) or post-LN blocks.</param>
    /// <param name="Dropout">Dropout rate after attention and feed-forward, in [0, 1) (0 = none).</param>
    /// <param name="Bias">Biases in every linear layer of the blocks (the head never has one).</param>
    /// <param name="NormBias">Layer norms with gain and bias; gain only when false.</param>
    /// <param name="NormEps">The layer norms' ε, &gt; 0.</param>
    /// <param name="Activation">The feed-forward activation.</param>
    /// <param name="ScaledResidualInit">
    /// Start the two projections that write into the residual stream (<c>attn/wo</c>, <c>mlp/proj</c>) from
    /// N(0, 0.02/√(2·layers)) instead of N(0, 0.02), as GPT-2 does.
    /// </param>
    public GptConfig(int Vocab, int Context, int Channels, int Layers, int Heads, int? Hidden = null,
        bool TieWeights = false, NormPlacement Norm = NormPlacement.Pre, double Dropout = 0,
        bool Bias = true, bool NormBias = true, double NormEps = Ops.LayerNorm.DefaultEps,
        GptActivation Activation = GptActivation.GeluTanh, bool ScaledResidualInit = false)
    {
        Rules.ThrowIfFail(Validate(Vocab, Context, Channels, Layers, Heads, Hidden, Norm, Dropout, NormEps, Activation), nameof(GptConfig));
        (this.Vocab, this.Context, this.Channels, this.Layers, this.Heads, this.Hidden) = (Vocab, Context, Channels, Layers, Heads, Hidden);
        (this.TieWeights, this.Norm, this.Dropout) = (TieWeights, Norm, Dropout);
        (this.Bias, this.NormBias, this.NormEps, this.Activation, this.ScaledResidualInit) = (Bias, NormBias, NormEps, Activation, ScaledResidualInit);
    }

    /// <summary>V, the vocabulary size.</summary>
    public int Vocab { get; }

    /// <summary>The longest sequence (learned positions).</summary>
    public int Context { get; }

    /// <summary>C, the model width.</summary>
    public int Channels { get; }

    /// <summary>How many transformer blocks.</summary>
    public int Layers { get; }

    /// <summary>Attention heads per block.</summary>
    public int Heads { get; }

    /// <summary>Feed-forward width as given; null means 4C (see <see cref="HiddenWidth"/>).</summary>
    public int? Hidden { get; }

    /// <summary>The feed-forward width in use: <see cref="Hidden"/>, or 4C.</summary>
    public int HiddenWidth => Hidden ?? 4 * Channels;

    /// <summary>Whether the head is the token embedding, transposed.</summary>
    public bool TieWeights { get; }

    /// <summary>Pre-LN or post-LN blocks.</summary>
    public NormPlacement Norm { get; }

    /// <summary>Dropout rate after attention and feed-forward.</summary>
    public double Dropout { get; }

    /// <summary>Whether the blocks' linear layers have biases.</summary>
    public bool Bias { get; }

    /// <summary>Whether the layer norms have a bias besides their gain.</summary>
    public bool NormBias { get; }

    /// <summary>The layer norms' ε.</summary>
    public double NormEps { get; }

    /// <summary>The feed-forward activation.</summary>
    public GptActivation Activation { get; }

    /// <summary>Whether <c>attn/wo</c> and <c>mlp/proj</c> start from N(0, 0.02/√(2·layers)).</summary>
    public bool ScaledResidualInit { get; }

    /// <summary>The configuration, or every invalid field (each its own <see cref="Error"/>); the parameters are the constructor's.</summary>
    public static Validation<Error, GptConfig> Create(int Vocab, int Context, int Channels, int Layers, int Heads, int? Hidden = null,
        bool TieWeights = false, NormPlacement Norm = NormPlacement.Pre, double Dropout = 0,
        bool Bias = true, bool NormBias = true, double NormEps = Ops.LayerNorm.DefaultEps,
        GptActivation Activation = GptActivation.GeluTanh, bool ScaledResidualInit = false) =>
        Validate(Vocab, Context, Channels, Layers, Heads, Hidden, Norm, Dropout, NormEps, Activation).Map(_ =>
            new GptConfig(Vocab, Context, Channels, Layers, Heads, Hidden, TieWeights, Norm, Dropout, Bias, NormBias, NormEps, Activation, ScaledResidualInit));

    // Each check fails on its own; `|` keeps the first success and accumulates failures, so every bad field is reported.
    // Fields are named as in the JSON form, which is what a user edits.
    private static Validation<Error, Unit> Validate(int vocab, int context, int channels, int layers, int heads, int? hidden,
        NormPlacement norm, double dropout, double eps, GptActivation activation) =>
        Positive("vocab", vocab) | Positive("context", context) | Positive("channels", channels)
        | Positive("layers", layers) | Positive("heads", heads) | (hidden is { } h ? Positive("hidden", h) : Rules.Ok)
        | Rules.Require(channels <= 0 || heads <= 0 || channels % heads == 0, $"channels = {channels} do not split into heads = {heads}")
        | Rules.Require(dropout is >= 0 and < 1, $"dropout = {dropout} must be in [0, 1)")
        | Rules.Require(eps > 0 && double.IsFinite(eps), $"norm_eps = {eps} must be finite and > 0")
        | Rules.Require(Enum.IsDefined(norm), $"norm = {(int)norm} is not pre or post")
        | Rules.Require(Enum.IsDefined(activation), $"activation = {(int)activation} is not gelu_tanh or gelu");

    private static Validation<Error, Unit> Positive(string field, int value) => Rules.Require(value > 0, $"{field} = {value} must be > 0");

    /// <summary>
    /// The JSON form, one object with snake_case fields: <c>vocab</c>, <c>context</c>, <c>channels</c>, <c>layers</c>,
    /// <c>heads</c>, <c>hidden</c> (null for 4C), <c>tie_weights</c>, <c>norm</c> (<c>"pre"</c>/<c>"post"</c>),
    /// <c>dropout</c>, <c>bias</c>, <c>norm_bias</c>, <c>norm_eps</c>, <c>activation</c>
    /// (<c>"gelu_tanh"</c>/<c>"gelu"</c>) and <c>scaled_residual_init</c>.
    /// </summary>
    /// <remarks>Every field is written, in this order, so the same configuration gives the same bytes (a checkpoint stores it as a metadata string).</remarks>
    public string ToJson() => JsonSerializer.Serialize(
        new Form(Vocab, Context, Channels, Layers, Heads, Hidden, TieWeights, Norm, Dropout, Bias, NormBias, NormEps, Activation, ScaledResidualInit),
        Json);

    /// <summary>
    /// Reads the form <see cref="ToJson"/> writes and validates it: the JSON errors (malformed text, an unknown or
    /// repeated field, a wrong type) or else every missing or invalid field.
    /// </summary>
    /// <remarks>
    /// <c>vocab</c>, <c>context</c>, <c>channels</c>, <c>layers</c> and <c>heads</c> are required; an omitted optional
    /// field takes the constructor's default, so a hand-written file may give the shape alone.
    /// </remarks>
    public static Validation<Error, GptConfig> FromJson(string json)
    {
        Form? form;
        try
        {
            form = JsonSerializer.Deserialize<Form>(json, Json);
        }
        catch (JsonException e)
        {
            return Fail<Error, GptConfig>(Error.New($"{nameof(GptConfig)} JSON: {e.Message}"));
        }
        if (form is null)
            return Fail<Error, GptConfig>(Error.New($"{nameof(GptConfig)} JSON: expected an object, got null"));
        var shape = Present("vocab", form.Vocab) | Present("context", form.Context) | Present("channels", form.Channels)
                    | Present("layers", form.Layers) | Present("heads", form.Heads);
        return shape.Match(
            Succ: _ => Create(form.Vocab!.Value, form.Context!.Value, form.Channels!.Value, form.Layers!.Value, form.Heads!.Value,
                form.Hidden, form.TieWeights ?? false, form.Norm ?? NormPlacement.Pre, form.Dropout ?? 0, form.Bias ?? true,
                form.NormBias ?? true, form.NormEps ?? Ops.LayerNorm.DefaultEps, form.Activation ?? GptActivation.GeluTanh,
                form.ScaledResidualInit ?? false),
            Fail: Fail<Error, GptConfig>);
    }

    private static Validation<Error, Unit> Present(string field, int? value) => Rules.Require(value.HasValue, $"{field} is missing");

    // Strict reading: unknown and repeated fields are errors, enums are names only.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    // The JSON shape: every field nullable so that a missing one is told apart from a default.
    private sealed record Form(int? Vocab, int? Context, int? Channels, int? Layers, int? Heads, int? Hidden, bool? TieWeights,
        NormPlacement? Norm, double? Dropout, bool? Bias, bool? NormBias, double? NormEps, GptActivation? Activation, bool? ScaledResidualInit);
}
