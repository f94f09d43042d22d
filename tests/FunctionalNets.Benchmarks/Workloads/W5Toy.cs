using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Benchmarks;

/// <summary>W5: the book-sized one-layer transformer (V = 4, d = 2, T = 2), one SGD step: per-op overhead.</summary>
internal static class W5Toy
{
    private const int V = 4, D = 2, T = 2, Pool = 16;

    /// <summary>The mean cross-entropy of the model on tokens x [1, T] with next tokens y [1, T].</summary>
    internal static Net<float, Var<float>> Loss(Tensor<int> x, Tensor<int> y)
    {
        var u = Init.Uniform<float>(1 / Math.Sqrt(D));
        return from e in Net.Param("e", [V, D], Init.Normal<float>(1))
               from p in Net.Param("p", [T, D], Init.Normal<float>(1))
               from wq in Net.Param("wq", [D, D], u)
               from wk in Net.Param("wk", [D, D], u)
               from wv in Net.Param("wv", [D, D], u)
               from wo in Net.Param("wo", [D, D], u)
               from wout in Net.Param("wout", [D, V], u)
               from bout in Net.Param("bout", [V], Init.Zeros<float>())
               from tok in Embedding.Apply(e, x)              // [1, T, D]
               from h0 in Add.Apply(tok, p)
               from q in MatMul.Apply(h0, wq)
               from k in MatMul.Apply(h0, wk)
               from v in MatMul.Apply(h0, wv)
               from a in Attention.Apply(q, k, v, causal: true)
               from o in MatMul.Apply(a, wo)
               from h1 in Add.Apply(h0, o)
               from z in MatMul.Apply(h1, wout)
               from logits in Add.Apply(z, bout)
               from loss in CrossEntropy.Apply(logits, y)
               select loss;
    }

    public static Dictionary<string, object> Run(bool quick)
    {
        var root = Key.FromSeed(5);
        var data = Enumerable.Range(0, Pool).Select(i => (
            X: Sample.Integers(root.FoldIn("x").FoldIn((uint)i), [1, T], V),
            Y: Sample.Integers(root.FoldIn("y").FoldIn((uint)i), [1, T], V))).ToArray();
        var parameters = Net.Init(Loss(data[0].X, data[0].Y), root);
        var trainer = new Trainer<float, (Tensor<int> X, Tensor<int> Y)>(b => Loss(b.X, b.Y), Optimizer.Sgd<float>(0.1), GuardNonFinite: false, DigestParams: false, UpdateRatio: false, GradNorm: false);
        var state = TrainState<float>.Start(parameters, trainer.Optimizer, root);
        var buffers = new StepBuffers();
        StepReport last = null!;
        void Step() => (state, last) = trainer.Step(state, data[state.Step % Pool], buffers, donate: true);

        Step();
        var first = last.Loss;
        for (var i = 1; i < 200; i++) Step();
        var (reps, k) = quick ? (3, 200) : (7, 1000);
        var (median, mean) = Measure.PerStep(reps, k, Step);
        return new()
        {
            ["workload"] = "W5",
            ["params"] = parameters.Count,
            ["reps"] = reps,
            ["steps_per_rep"] = k,
            ["median_step_s"] = median,
            ["steps_per_s"] = 1 / median,
            ["steps_per_s_mean"] = 1 / mean,
            ["loss_first"] = first,
            ["loss_last"] = last.Loss,
        };
    }
}
