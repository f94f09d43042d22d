using FunctionalNets.Autodiff;
using FunctionalNets.Benchmarks;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.Training;

/// <summary>What a step of a tiny model costs besides its arithmetic: the per-op bookkeeping a model of 2×2 matrices is made of.</summary>
public class StepOverheadTests
{
    [Fact]
    public void A_step_of_the_runners_toy_transformer_allocates_under_18_KB()
    {
        // 13.9 KB when written (22.8 KB before the ops' fills, the lifts and the parameter reads stopped allocating a
        // closure and a delegate each): the bound catches the bookkeeping growing back, not a change of runtime.
        var (x, y) = (Tensor.From<int>([1, 2], [1, 3]), Tensor.From<int>([1, 2], [2, 0]));
        var key = Key.FromSeed(5);
        var trainer = new Trainer<float, int>(_ => W5Toy.Loss(x, y), Optimizer.Sgd<float>(0.1), GuardNonFinite: false, DigestParams: false,
            UpdateRatio: false, GradNorm: false);
        var state = TrainState<float>.Start(Net.Init(W5Toy.Loss(x, y), key), trainer.Optimizer, key);
        var buffers = new StepBuffers();
        for (var i = 0; i < 20; i++) state = trainer.Step(state, i, buffers, donate: true).State;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) state = trainer.Step(state, i, buffers, donate: true).State;
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.True(perStep < 18_000, $"a step allocated {perStep} bytes");
        Assert.True(float.IsFinite(state.Params["wout"].Span[0]));
    }

    [Fact]
    public void A_net_needs_a_step_function()
    {
        Assert.Equal("run", Assert.Throws<ArgumentNullException>(() => new Net<float, int>(null!)).ParamName);
        var start = NetState<float>.Start(Params<float>.Empty, recording: false);
        var (value, after) = new Net<float, int>(s => (7, s)).Run(start);
        Assert.Equal(7, value);
        Assert.Same(start, after);
    }
}
