using FunctionalNets.Autodiff;
using FunctionalNets.Models;
using FunctionalNets.Optim;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Benchmarks;

/// <summary>W3 (one AdamW training step) and W4 (one inference forward) of the small char-level GPT (WORKLOADS.md).</summary>
internal static class W3Gpt
{
    private const int Batch = 16, Context = 64, Vocab = 65, Pool = 8;

    public static readonly GptConfig Config = new(Vocab, Context, Channels: 128, Layers: 4, Heads: 4, Hidden: 512);

    private static (Tensor<int> X, Tensor<int> Y)[] Data()
    {
        var root = Key.FromSeed(4);
        return Enumerable.Range(0, Pool).Select(i => (
            Sample.Integers(root.FoldIn("x").FoldIn((uint)i), [Batch, Context], Vocab),
            Sample.Integers(root.FoldIn("y").FoldIn((uint)i), [Batch, Context], Vocab))).ToArray();
    }

    private static Parameters.Params<float> Init(Tensor<int> sample) => Net.Init(Gpt.Logits<float>(Config, sample), Key.FromSeed(3));

    public static Dictionary<string, object> Train(bool quick)
    {
        var data = Data();
        var parameters = Init(data[0].X);
        var trainer = new Trainer<float, (Tensor<int> X, Tensor<int> Y)>(
            b => Gpt.Loss<float>(Config, b.X, b.Y), Optimizer.AdamW<float>(3e-4, 0.01), GuardNonFinite: false, DigestParams: false, UpdateRatio: false, GradNorm: false);
        var state = TrainState<float>.Start(parameters, trainer.Optimizer, Key.FromSeed(3));
        var buffers = new StepBuffers();
        StepReport last = null!;
        void Step() => (state, last) = trainer.Step(state, data[state.Step % Pool], buffers, donate: true);

        var (warm, n) = quick ? (3, 10) : (5, 30);
        Step();
        var first = last.Loss;
        for (var i = 1; i < warm; i++) Step();
        var times = new List<double>();
        var total = Measure.Timed(n, () =>
        {
            for (var i = 0; i < n; i++) times.Add(Measure.Seconds(Step));
        });
        var median = Measure.Median(times);
        return new()
        {
            ["workload"] = "W3",
            ["batch"] = Batch,
            ["context"] = Context,
            ["params"] = parameters.Count,
            ["warmup_steps"] = warm,
            ["timed_steps"] = n,
            ["median_step_s"] = median,
            ["tokens_per_s"] = Batch * Context / median,
            ["tokens_per_s_mean"] = Batch * Context * n / total,
            ["loss_first"] = first,
            ["loss_last"] = last.Loss,
        };
    }

    public static Dictionary<string, object> Infer(bool quick)
    {
        var data = Data();
        var parameters = Init(data[0].X);
        var (warm, n) = quick ? (3, 10) : (5, 30);
        Tensor<float> logits = null!;
        var i = 0;
        var buffers = new StepBuffers();
        void Forward() => logits = Net.Output(Gpt.Logits<float>(Config, data[i++ % Pool].X), parameters, buffers);

        for (var w = 0; w < warm; w++) Forward();
        var times = new List<double>();
        var total = Measure.Timed(n, () =>
        {
            for (var k = 0; k < n; k++) times.Add(Measure.Seconds(Forward));
        });
        var median = Measure.Median(times);
        var checksum = 0.0;
        foreach (var v in logits.Span) checksum += v;
        return new()
        {
            ["workload"] = "W4",
            ["batch"] = Batch,
            ["context"] = Context,
            ["warmup"] = warm,
            ["timed"] = n,
            ["median_fwd_s"] = median,
            ["tokens_per_s"] = Batch * Context / median,
            ["tokens_per_s_mean"] = Batch * Context * n / total,
            ["logits_checksum"] = checksum,
        };
    }
}
