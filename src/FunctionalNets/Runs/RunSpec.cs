using System.Text.Json.Nodes;
using FunctionalNets.Models;
using FunctionalNets.Randomness;

namespace FunctionalNets.Runs;

/// <summary>Everything that decides a language-model run's bits, and how often it evaluates, checkpoints and digests.</summary>
/// <param name="Model">The GPT's configuration.</param>
/// <param name="Recipe">Batch, steps, optimizer and schedule.</param>
/// <param name="Seed">The run's seed: parameters, batches and dropout all draw from keys derived from it.</param>
/// <param name="Tokenizer">The tokenizer's name (<c>char</c>, <c>gpt2</c>).</param>
/// <param name="TokenizerState">The tokenizer's saved state (a character vocabulary; empty for gpt2).</param>
/// <param name="Data">The data's description (<see cref="RunData.Describe"/>).</param>
/// <param name="EvalEvery">Evaluate every this many steps (0 = only at the end).</param>
/// <param name="EvalBatches">Validation batches per evaluation (text data).</param>
/// <param name="CheckpointEvery">Checkpoint every this many steps (0 = only at the end).</param>
/// <param name="Keep">How many checkpoints to keep, the newest.</param>
/// <param name="DigestEvery">Put the parameters' digest in the step line every this many steps (and on every checkpoint).</param>
public sealed record RunSpec(GptConfig Model, TrainingRecipe Recipe, ulong Seed, string Tokenizer, string TokenizerState, JsonObject Data,
    int EvalEvery, int EvalBatches, int CheckpointEvery, int Keep, int DigestEvery)
{
    /// <summary>The root of every key of the run.</summary>
    public Key Root => Key.FromSeed(Seed);

    /// <summary>Parameter initialisation draws from this key (each path from <c>key ⊕ path</c>).</summary>
    public Key InitKey => Root.FoldIn("init");

    /// <summary>Training batch i is <c>TrainBatch(DataKey, i)</c>.</summary>
    public Key DataKey => Root.FoldIn("data");

    /// <summary>The training state's key: step i's dropout draws from <c>TrainKey.FoldIn(i)</c>.</summary>
    public Key TrainKey => Root.FoldIn("train");

    /// <summary>The JSON form written in the run log's header and in every checkpoint.</summary>
    public JsonObject ToJson() => new()
    {
        ["model"] = JsonNode.Parse(Model.ToJson()),
        ["training"] = new JsonObject
        {
            ["batch"] = Recipe.Batch,
            ["iters"] = Recipe.Iters,
            ["decay_steps"] = Recipe.DecaySteps,
            ["lr"] = Recipe.Lr,
            ["min_lr"] = Recipe.MinLr,
            ["warmup"] = Recipe.Warmup,
            ["weight_decay"] = Recipe.WeightDecay,
            ["clip"] = Recipe.Clip,
            ["beta1"] = Recipe.Beta1,
            ["beta2"] = Recipe.Beta2,
            ["eps"] = Recipe.Eps,
        },
        ["seed"] = Seed,
        ["tokenizer"] = new JsonObject { ["name"] = Tokenizer, ["state"] = TokenizerState },
        ["data"] = Data.DeepClone(),
        ["eval_every"] = EvalEvery,
        ["eval_batches"] = EvalBatches,
        ["checkpoint_every"] = CheckpointEvery,
        ["keep"] = Keep,
        ["digest_every"] = DigestEvery,
    };

    /// <summary>Reads <see cref="ToJson"/>'s form; a missing or invalid field is a <see cref="RunLogException"/> naming it.</summary>
    public static RunSpec FromJson(JsonObject json, string where)
    {
        try
        {
            var t = json["training"]!.AsObject();
            var model = GptConfig.FromJson(json["model"]!.ToJsonString())
                .Match(c => c, errors => throw new RunLogException($"{where}: model: {string.Join("; ", errors.Map(e => e.Message))}"));
            var recipe = TrainingRecipe.Create(Int(t, "batch"), Long(t, "iters"), Long(t, "decay_steps"), Double(t, "lr"), Double(t, "min_lr"),
                    Long(t, "warmup"), Double(t, "weight_decay"), Double(t, "clip"), Double(t, "beta1"), Double(t, "beta2"), Double(t, "eps"))
                .Match(r => r, errors => throw new RunLogException($"{where}: training: {string.Join("; ", errors.Map(e => e.Message))}"));
            var tokenizer = json["tokenizer"]!.AsObject();
            return new RunSpec(model, recipe, json["seed"]!.GetValue<ulong>(), tokenizer["name"]!.GetValue<string>(),
                tokenizer["state"]!.GetValue<string>(), json["data"]!.AsObject(), Int(json, "eval_every"), Int(json, "eval_batches"),
                Int(json, "checkpoint_every"), Int(json, "keep"), Int(json, "digest_every"));
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new RunLogException($"{where}: the run's settings are incomplete or malformed ({e.Message})");
        }
    }

    private static int Int(JsonObject o, string name) => o[name]!.GetValue<int>();

    private static long Long(JsonObject o, string name) => o[name]!.GetValue<long>();

    private static double Double(JsonObject o, string name) => o[name]!.GetValue<double>();
}
