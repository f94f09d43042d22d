using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Benchmarks;

/// <summary>W2: one SGD step of a 784→256→256→10 ReLU MLP on a batch of 64 (WORKLOADS.md).</summary>
internal static class W2Mlp
{
    public static Dictionary<string, object> Run(bool quick)
    {
        const int batch = 64, pool = 16;
        var model = Layer.Sequence(Dense.Of<float>("fc1", 256), Relu.Apply, Dense.Of<float>("fc2", 256), Relu.Apply, Dense.Of<float>("fc3", 10));
        var root = Key.FromSeed(2);
        var data = Enumerable.Range(0, pool).Select(i => (
            X: Sample.Normal<float>(root.FoldIn("x").FoldIn((uint)i), [batch, 784]),
            Y: Sample.Integers(root.FoldIn("y").FoldIn((uint)i), [batch], 10))).ToArray();
        var parameters = Net.Init(model.On(data[0].X), root.FoldIn("init"));
        var trainer = new Trainer<float, (Tensor<float> X, Tensor<int> Y)>(
            b => from logits in model.On(b.X) from loss in CrossEntropy.Apply(logits, b.Y) select loss,
            Optimizer.Sgd<float>(0.01), GuardNonFinite: false, DigestParams: false, UpdateRatio: false, GradNorm: false);
        var state = TrainState<float>.Start(parameters, trainer.Optimizer, root);
        var buffers = new StepBuffers();
        StepReport last = null!;
        void Step()
        {
            (state, last) = trainer.Step(state, data[state.Step % pool], buffers, donate: true);
        }

        Step();
        var first = last.Loss;
        for (var i = 1; i < 20; i++) Step();
        var (reps, k) = quick ? (3, 20) : (7, 50);
        var (median, mean) = Measure.PerStep(reps, k, Step);
        return new()
        {
            ["workload"] = "W2",
            ["batch"] = batch,
            ["reps"] = reps,
            ["steps_per_rep"] = k,
            ["median_step_s"] = median,
            ["steps_per_s"] = 1 / median,
            ["steps_per_s_mean"] = 1 / mean,
            ["examples_per_s"] = batch / median,
            ["examples_per_s_mean"] = batch / mean,
            ["loss_first"] = first,
            ["loss_last"] = last.Loss,
            ["params"] = parameters.Count,
        };
    }
}
