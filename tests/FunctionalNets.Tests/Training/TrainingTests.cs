using FunctionalNets.Parameters;
using FunctionalNets.Tests.Kernels;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.Training;

[Collection(ExclusivePool.Name)]
public class TrainingTests
{
    private static readonly Layer<double> Mlp = Layer.Sequence(Dense.Of<double>("fc1", 6), Tanh.Apply, Dense.Of<double>("fc2", 3));
    private static readonly Tensor<double> Xs = Sample.Normal<double>(Key.FromSeed(11), [8, 4]);
    private static readonly Tensor<int> Ys = Sample.Integers(Key.FromSeed(12), [8], 3);

    private static Net<double, Var<double>> Loss(int[] rows) =>
        from logits in Mlp.On(Gather.Forward(Xs, Tensor.Vector<int>(rows)))
        from loss in CrossEntropy.Apply(logits, Gather.Forward(Ys.Convert<int, double>(), Tensor.Vector<int>(rows)).Convert<double, int>())
        select loss;

    private static Trainer<double, int[]> Trainer(Schedule? lr = null) =>
        new(Loss, Optimizer.Adam<double>(lr ?? Schedules.Constant(0.01)));

    private static TrainState<double> Start() =>
        TrainState<double>.Start(Net.Init(Loss([0]), Key.FromSeed(13)), Trainer().Optimizer, Key.FromSeed(14));

    private static IEnumerable<int[]> Batches(int epochs) => Epochs.Batches(Key.FromSeed(15), 8, 4, epochs);

    [Fact]
    public void Batch_gradient_is_the_mean_of_per_example_gradients()
    {
        var p = Start().Params;
        int[] rows = [0, 3, 5];
        var (_, batch) = Grad.ValueAndGrad(Loss(rows), p);
        var each = rows.Select(r => Grad.ValueAndGrad(Loss([r]), p).Grads).ToArray();
        foreach (var path in p.Paths)
        {
            var mean = Tensor.Build<double>(p[path].Shape, m =>
            {
                for (var i = 0; i < m.Length; i++) m[i] = each.Sum(g => g[path].Span[i]) / rows.Length;
            });
            Assert.True(batch[path].AllClose(mean, 1e-12, 1e-14), path);
        }
    }

    [Fact]
    public void Each_epoch_is_a_permutation() =>
        Gen.Select(Gen.Int[1, 200], Gen.ULong).Sample((n, seed) =>
        {
            var order = Epochs.Shuffle(Key.FromSeed(seed), n);
            return order.Order().SequenceEqual(Enumerable.Range(0, n));
        });

    [Fact]
    public void Epoch_batches_cover_the_data_once_per_epoch()
    {
        var batches = Epochs.Batches(Key.FromSeed(3), 10, 4, epochs: 2).ToList();
        Assert.Equal([4, 4, 2, 4, 4, 2], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10), batches.Take(3).SelectMany(b => b).Order());
        Assert.NotEqual(batches.Take(3).SelectMany(b => b), batches.Skip(3).SelectMany(b => b));
    }

    [Fact]
    public void Fit_equals_the_last_state_of_Scan_and_the_loss_falls()
    {
        var trainer = Trainer();
        var fitted = trainer.Fit(Start(), Batches(100));
        var scanned = trainer.Scan(Start(), Batches(100)).ToList();
        Assert.True(fitted.Params.Equals(scanned[^1].State.Params));
        Assert.Equal(200, fitted.Step);
        Assert.True(scanned[^1].Report.Loss < 0.5 * scanned[0].Report.Loss, $"loss {scanned[0].Report.Loss} → {scanned[^1].Report.Loss}");
    }

    [Fact]
    public void Training_k_steps_then_continuing_equals_training_straight_through()
    {
        var trainer = Trainer();
        var batches = Batches(5).ToList();
        var straight = trainer.Fit(Start(), batches);
        var half = trainer.Fit(Start(), batches.Take(4));
        var resumed = trainer.Fit(half, batches.Skip(4));
        Assert.Equal(straight.Params.Digest(), resumed.Params.Digest());
        Assert.Equal(straight.Step, resumed.Step);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_parameters_across_runs()
    {
        var a = Trainer().Fit(Start(), Batches(3));
        var b = Trainer().Fit(Start(), Batches(3));
        Assert.Equal(a.Params.Digest(), b.Params.Digest());
    }

    [Fact]
    public void Reports_carry_the_scheduled_learning_rate()
    {
        var lr = Schedules.LinearWarmup(0.01, 4);
        var reports = Trainer(lr).Scan(Start(), Batches(2)).Select(r => r.Report).ToList();
        Assert.Equal(Enumerable.Range(0, 4).Select(i => lr(i)), reports.Select(r => r.LearningRate));
        Assert.All(reports, r => Assert.True(r.GradNorm > 0 && r.NonFinite == 0));
    }

    [Theory]
    [InlineData(8, 0, 1, "Epochs.Batches: batch size must be positive, got 0")]
    [InlineData(8, 4, -1, "Epochs.Batches: epochs must be ≥ 0, got -1")]
    [InlineData(-8, 4, 1, "Epochs.Batches: the number of examples must be ≥ 0, got -8")]
    public void Epoch_batches_with_bad_arguments_fail_at_the_call_not_when_read(int n, int batchSize, int epochs, string message) =>
        // The sequence is never enumerated: the call itself must throw.
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => Epochs.Batches(Key.FromSeed(1), n, batchSize, epochs)).Message);

    [Fact]
    public void A_step_on_an_empty_batch_is_an_error_and_updates_nothing()
    {
        // No rows: the loss is a mean of nothing, so the step fails instead of reporting 0 and skipping the update.
        var start = Start();
        var ex = Assert.Throws<ArgumentException>(() => Trainer().Step(start, []));
        Assert.StartsWith("CrossEntropy: nothing to average (logits [0, 3])", ex.Message);
    }

    [Fact]
    public void Reports_carry_the_rate_the_optimizer_applied_and_NaN_without_one()
    {
        // The rate comes from the optimizer itself (through a chain too), read at its own step count: an optimizer
        // state restarted at step 10 applied lr(0), and that is what the report says.
        var lr = Schedules.StepDecay(0.5, 1, 0.5);
        var trainer = new Trainer<double, int[]>(Loss, Optimizer.Chain(Optimizer.ClipByGlobalNorm<double>(1e6), Optimizer.Sgd<double>(lr)));
        var restarted = Start() with { Step = 10 };
        var (after, first) = trainer.Step(restarted, [0, 1]);
        Assert.Equal(0.5, first.LearningRate);
        Assert.Equal(0.25, trainer.Step(after, [2, 3]).Report.LearningRate);
        // The step really used 0.5: Sgd moved every parameter by −0.5 times its gradient (far below the clip).
        var grads = Grad.ValueAndGrad(Loss([0, 1]), restarted.Params).Grads;
        Assert.All(restarted.Params.Paths, path =>
            Assert.True(after.Params[path].AllClose(Subtract.Forward(restarted.Params[path], Scale.Forward(grads[path], 0.5)), 1e-15, 1e-15), path));
        var plain = new Trainer<double, int[]>(Loss, Optimizer.Identity<double>());
        Assert.True(double.IsNaN(plain.Step(Start(), [0]).Report.LearningRate));
    }

    [Fact]
    public void Update_ratio_is_the_update_norm_over_the_param_norm_or_NaN_when_skipped()
    {
        var (s0, batch) = (Start(), new[] { 0, 3, 5 });
        var (withRatio, report) = Trainer().Step(s0, batch);
        var (without, skipped) = (Trainer() with { UpdateRatio = false }).Step(s0, batch);
        // The update is what the step added to the parameters: p₁ − p₀.
        var update = withRatio.Params.Zip(s0.Params, (_, p1, p0) => Subtract.Forward(p1, p0));
        Assert.Equal(update.GlobalNorm() / s0.Params.GlobalNorm(), report.UpdateRatio, 1e-12);
        Assert.True(double.IsNaN(skipped.UpdateRatio));
        Assert.Equal(withRatio.Params.Digest(), without.Params.Digest());
    }

    [Fact]
    public void The_gradient_norm_is_skipped_only_when_neither_the_report_nor_the_guard_wants_it()
    {
        var (s0, batch) = (Start(), new[] { 1, 2, 6 });
        var (full, report) = Trainer().Step(s0, batch);
        var (_, guarded) = (Trainer() with { GradNorm = false }).Step(s0, batch);
        var (bare, skipped) = (Trainer() with { GradNorm = false, GuardNonFinite = false }).Step(s0, batch);
        var grads = Grad.ValueAndGrad(Loss(batch), s0.Params).Grads;
        Assert.Equal((grads.GlobalNorm(), 0L), (report.GradNorm, report.NonFinite));
        Assert.Equal((report.GradNorm, 0L), (guarded.GradNorm, guarded.NonFinite));
        Assert.True(double.IsNaN(skipped.GradNorm));
        Assert.Equal(-1, skipped.NonFinite);
        Assert.Equal(full.Params.Digest(), bare.Params.Digest());
    }

    [Fact]
    public void Non_finite_loss_stops_training_naming_the_step()
    {
        var p = Start();
        var poisoned = p with { Params = p.Params.With("fc2/b", Tensor.Full<double>([3], double.NaN)) };
        var ex = Assert.Throws<NonFiniteException>(() => Trainer().Step(poisoned, [0, 1]));
        Assert.Contains("step 0", ex.Message);
    }

    [Fact]
    public void Non_finite_gradient_names_the_parameter_path()
    {
        // L = Σ√p is finite at p = [0, 1], but dL/dp = 1/(2√p) is +∞ at 0.
        var p = Params<double>.Empty.With("layer/p", Tensor.Vector(0.0, 1.0));
        var loss = from v in Net.Param<double>("layer/p") from r in Sqrt.Apply(v) from l in Sum.Apply(r) select l;
        var trainer = new Trainer<double, int>(_ => loss, Optimizer.Sgd<double>(0.1));
        var state = TrainState<double>.Start(p, trainer.Optimizer, Key.FromSeed(1));
        var ex = Assert.Throws<NonFiniteException>(() => trainer.Step(state, 0));
        Assert.Contains("step 0", ex.Message);
        Assert.Contains("layer/p", ex.Message);
        // With the guard off the step goes through and the report counts the bad element.
        var (_, report) = (trainer with { GuardNonFinite = false }).Step(state, 0);
        Assert.Equal(1, report.NonFinite);
    }

    [Fact]
    public void One_and_two_threads_give_bit_identical_training()
    {
        var cfg = new FunctionalNets.Models.GptConfig(Vocab: 11, Context: 16, Channels: 64, Layers: 1, Heads: 2);
        var ids = Sample.Integers(Key.FromSeed(21), [8, 16], 11);
        var targets = Sample.Integers(Key.FromSeed(22), [8, 16], 11);
        string Train(int threads)
        {
            return OnThreads.Run(threads, () =>
            {
                var trainer = new Trainer<float, int>(_ => FunctionalNets.Models.Gpt.Loss<float>(cfg, ids, targets), Optimizer.AdamW<float>(1e-3));
                var s0 = TrainState<float>.Start(Net.Init(FunctionalNets.Models.Gpt.Logits<float>(cfg, ids), Key.FromSeed(23)), trainer.Optimizer, Key.FromSeed(24));
                return trainer.Fit(s0, Enumerable.Range(0, 3)).Params.Digest();
            });
        }
        Assert.Equal(Train(1), Train(2));
    }
}
