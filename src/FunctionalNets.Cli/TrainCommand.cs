using System.CommandLine;
using FunctionalNets.Models;
using FunctionalNets.Plots;
using FunctionalNets.Runs;
using FunctionalNets.Text;

namespace FunctionalNets.Cli;

/// <summary><c>fnets train</c>: a language model on a text file, or on the built-in addition task when no text is given.</summary>
public static class TrainCommand
{
    private static readonly Option<string?> Text = new("--text") { Description = "A UTF-8 text file to train on (default: the built-in addition task)" };
    private static readonly Option<string?> PresetName = new("--preset") { Description = "cpu-char (the default with --text), addition (the default without), tiny (seconds)" };
    private static readonly Option<string> Tokenizer = new("--tokenizer") { Description = "char or gpt2", DefaultValueFactory = _ => CharTokenizer.TokenizerName };
    private static readonly Option<int?> Layers = new("--layers") { Description = "Transformer blocks" };
    private static readonly Option<int?> Heads = new("--heads") { Description = "Attention heads per block" };
    private static readonly Option<int?> Width = new("--width") { Description = "Model width (channels)" };
    private static readonly Option<int?> Context = new("--context") { Description = "Context length in tokens (text only)" };
    private static readonly Option<int?> Digits = new("--digits") { Description = "Operand digits of the addition task" };
    private static readonly Option<int?> Batch = new("--batch") { Description = "Sequences per step" };
    private static readonly Option<long?> Iters = new("--iters") { Description = "Training steps" };
    private static readonly Option<long?> DecaySteps = new("--decay-steps") { Description = "Step where the cosine reaches --min-lr (default: --iters)" };
    private static readonly Option<double?> Lr = new("--lr") { Description = "Peak learning rate" };
    private static readonly Option<double?> MinLr = new("--min-lr") { Description = "Learning rate at the end of the cosine" };
    private static readonly Option<long?> Warmup = new("--warmup") { Description = "Warm-up steps" };
    private static readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "AdamW weight decay on weight matrices and embeddings" };
    private static readonly Option<double?> Clip = new("--clip") { Description = "Global gradient-norm clip (0 = none)" };
    private static readonly Option<double> Dropout = new("--dropout") { Description = "Dropout rate", DefaultValueFactory = _ => 0 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "The run's seed", DefaultValueFactory = _ => 1337 };
    private static readonly Option<string?> Out = new("--out") { Description = "Run directory (default: runs/<preset or text name>)" };
    private static readonly Option<bool> Force = new("--force") { Description = "Replace the run in a non-empty --out" };
    private static readonly Option<int?> CheckpointEvery = new("--checkpoint-every") { Description = "Checkpoint every N steps (and at the end)" };
    private static readonly Option<int> Keep = new("--keep") { Description = "Checkpoints to keep, the newest", DefaultValueFactory = _ => 3 };
    private static readonly Option<int?> EvalEvery = new("--eval-every") { Description = "Evaluate every N steps (and at the end; 0 = only at the end)" };
    private static readonly Option<int?> EvalBatches = new("--eval-batches") { Description = "Validation batches per evaluation" };
    private static readonly Option<int> DigestEvery = new("--digest-every") { Description = "Log the parameters' digest every N steps", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> Plot = new("--plot") { Description = "At the end, write the loss curves to DIR/loss.png and DIR/loss.svg" };

    /// <summary>The <c>train</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("train", "Train a GPT on a text file (--text) or, by default, on the built-in addition task")
        {
            Text, PresetName, Tokenizer, Layers, Heads, Width, Context, Digits, Batch, Iters, DecaySteps, Lr, MinLr, Warmup, WeightDecay, Clip,
            Dropout, Seed, Out, Force, CheckpointEvery, Keep, EvalEvery, EvalBatches, DigestEvery, Plot, Running.Threads, Running.Json, Running.LogEvery,
        };
        command.SetAction(parse => Train(io, parse));
        return command;
    }

    private static int Train(Io io, ParseResult parse)
    {
        var text = parse.GetValue(Text);
        var preset = Preset.Named(parse.GetValue(PresetName) ?? (text is null ? Preset.Addition.Name : Preset.CpuChar.Name));
        var batch = parse.GetValue(Batch) ?? preset.Batch;
        if (text is null && parse.GetValue(Context) is { } context)
            throw new UsageException($"--context {context}: the addition task sets its own context (3·digits + 2); choose --digits instead");
        var data = LoadData(text, parse.GetValue(Tokenizer)!, parse.GetValue(Digits) ?? preset.Digits, batch, parse.GetValue(Context) ?? preset.Context);
        var iters = parse.GetValue(Iters) ?? preset.Iters;
        var model = GptConfig.Create(data.Batches.Tokenizer.VocabSize, data.Batches.ContextLength, parse.GetValue(Width) ?? preset.Width,
            parse.GetValue(Layers) ?? preset.Layers, parse.GetValue(Heads) ?? preset.Heads, TieWeights: true, Dropout: parse.GetValue(Dropout),
            Bias: false, NormBias: false, Activation: GptActivation.Gelu, ScaledResidualInit: true);
        var decaySteps = parse.GetValue(DecaySteps) ?? iters;
        // A short run keeps its warm-up to a tenth of the decay unless --warmup says otherwise.
        var recipe = TrainingRecipe.Create(batch, iters, decaySteps, parse.GetValue(Lr) ?? preset.Lr, parse.GetValue(MinLr) ?? preset.MinLr,
            parse.GetValue(Warmup) ?? Math.Min(preset.Warmup, decaySteps / 10), parse.GetValue(WeightDecay) ?? preset.WeightDecay,
            parse.GetValue(Clip) ?? preset.Clip, beta2: preset.Beta2);
        var (m, r) = (model, recipe).OrUsage();
        var spec = new RunSpec(m, r, parse.GetValue(Seed), data.Batches.Tokenizer.Name, data.Batches.Tokenizer.State, data.Describe(),
            parse.GetValue(EvalEvery) ?? preset.EvalEvery, parse.GetValue(EvalBatches) ?? preset.EvalBatches,
            parse.GetValue(CheckpointEvery) ?? preset.CheckpointEvery, parse.GetValue(Keep), parse.GetValue(DigestEvery));
        RequireCounts(spec);
        var dir = parse.GetValue(Out) ?? Path.Combine("runs", text is null ? preset.Name : Path.GetFileNameWithoutExtension(text));
        var plot = parse.GetValue(Plot);
        if (plot) _ = PlotFonts.Family; // no usable font: fail now, not after training
        using var threads = Running.ThreadScope(parse);
        var run = LanguageModelRun.Create(dir, spec, data, parse.GetValue(Force));
        var code = Running.Execute(io, parse, run, LanguageModelRun.Initial(spec));
        if (plot) LossPlot.Write(dir);
        return code;
    }

    /// <summary>The run's data: the text file (read, tokenized, split) or the addition task; a failure is one line, exit 1.</summary>
    public static RunData LoadData(string? text, string tokenizer, int digits, int batch, int context) =>
        text is null
            ? AdditionTask.Create(digits, batch).Map(t => (RunData)new RunData.Addition(t)).ThrowIfFail()
            : (from source in TextSource.Read(Path.GetFullPath(text))
               from tok in TextTokenizers.Create(tokenizer, source.Text)
               from set in TextDataset.Create(source, tok, batch, context)
               select (RunData)new RunData.Text(set)).ThrowIfFail();

    private static void RequireCounts(RunSpec spec)
    {
        if (spec.EvalEvery < 0 || spec.CheckpointEvery < 0 || spec.EvalBatches <= 0 || spec.Keep <= 0 || spec.DigestEvery <= 0)
            throw new UsageException($"--eval-every and --checkpoint-every must be ≥ 0, --eval-batches, --keep and --digest-every > 0 " +
                                     $"(got {spec.EvalEvery}, {spec.CheckpointEvery}, {spec.EvalBatches}, {spec.Keep}, {spec.DigestEvery})");
    }
}
