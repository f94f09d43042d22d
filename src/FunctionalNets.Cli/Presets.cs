namespace FunctionalNets.Cli;

/// <summary>
/// A named starting point for <c>fnets train</c>: the model's shape and the training recipe; every field can be
/// overridden on the command line.
/// </summary>
/// <param name="Name">The preset's name.</param>
/// <param name="Description">One line for <c>--help</c>.</param>
public sealed record Preset(string Name, string Description)
{
    /// <summary>Blocks.</summary>
    public int Layers { get; init; }

    /// <summary>Attention heads per block.</summary>
    public int Heads { get; init; }

    /// <summary>Model width.</summary>
    public int Width { get; init; }

    /// <summary>Context length (text data; the addition task fixes its own).</summary>
    public int Context { get; init; }

    /// <summary>Sequences per step.</summary>
    public int Batch { get; init; }

    /// <summary>Steps.</summary>
    public long Iters { get; init; }

    /// <summary>Peak learning rate.</summary>
    public double Lr { get; init; }

    /// <summary>Learning-rate floor at the end of the cosine.</summary>
    public double MinLr { get; init; }

    /// <summary>Warm-up steps.</summary>
    public long Warmup { get; init; }

    /// <summary>Decoupled weight decay on rank ≥ 2 tensors.</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Global gradient-norm clip.</summary>
    public double Clip { get; init; } = 1.0;

    /// <summary>Adam's β₂.</summary>
    public double Beta2 { get; init; } = 0.99;

    /// <summary>Evaluate every this many steps.</summary>
    public int EvalEvery { get; init; }

    /// <summary>Validation batches per evaluation.</summary>
    public int EvalBatches { get; init; } = 200;

    /// <summary>Checkpoint every this many steps.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Operand digits of the addition task.</summary>
    public int Digits { get; init; } = 4;

    /// <summary>W6 of the workload suite: the character-level GPT recipe for a text the size of tiny-shakespeare.</summary>
    public static Preset CpuChar { get; } = new("cpu-char", "4 layers, 4 heads, width 128, context 64, batch 12, 2,000 steps (a character model of a ~1 MB text)")
    {
        Layers = 4,
        Heads = 4,
        Width = 128,
        Context = 64,
        Batch = 12,
        Iters = 2_000,
        Lr = 1e-3,
        MinLr = 1e-4,
        Warmup = 100,
        EvalEvery = 500,
        CheckpointEvery = 500,
    };

    /// <summary>The built-in addition task's model and recipe.</summary>
    public static Preset Addition { get; } = new("addition", "the built-in addition task: 4-digit operands, 2 layers, 4 heads, width 128")
    {
        Layers = 2,
        Heads = 4,
        Width = 128,
        Context = 0,
        Batch = 64,
        Iters = 3_000,
        Lr = 2e-3,
        MinLr = 1e-4,
        Warmup = 100,
        EvalEvery = 1_000,
        CheckpointEvery = 1_000,
        Digits = 4,
    };

    /// <summary>A model small enough to train in seconds: for tests and trying things out.</summary>
    public static Preset Tiny { get; } = new("tiny", "1 layer, 2 heads, width 32, context 32, 100 steps (seconds)")
    {
        Layers = 1,
        Heads = 2,
        Width = 32,
        Context = 32,
        Batch = 8,
        Iters = 100,
        Lr = 3e-3,
        MinLr = 3e-4,
        Warmup = 10,
        EvalEvery = 50,
        EvalBatches = 10,
        CheckpointEvery = 50,
        Digits = 2,
    };

    /// <summary>Every preset, by name.</summary>
    public static IReadOnlyList<Preset> All { get; } = [CpuChar, Addition, Tiny];

    /// <summary>The preset called <paramref name="name"/>; an unknown name is a usage error listing the others.</summary>
    public static Preset Named(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new UsageException($"no preset '{name}' (presets: {string.Join(", ", All.Select(p => p.Name))})");
}
