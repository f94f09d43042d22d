using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.Training;

public class DonationTests
{
    private const int Inputs = 256, Classes = 512;

    // A wide layer on a batch of two: the parameters and AdamW's two moments outweigh everything else a step builds.
    private static Net<float, Var<float>> Loss(int step) =>
        from logits in Dense.Of<float>("fc", Classes).On(Sample.Normal<float>(Key.FromSeed(81).FoldIn(step), [2, Inputs]))
        from loss in CrossEntropy.Apply(logits, Sample.Integers(Key.FromSeed(82).FoldIn(step), [2], Classes))
        select loss;

    private static TrainState<float> Start(Trainer<float, int> trainer) =>
        TrainState<float>.Start(Net.Init(Loss(0), Key.FromSeed(83)), trainer.Optimizer, Key.FromSeed(84));

    private static readonly Trainer<float, int> AdamW = new(Loss, Optimizer.AdamW<float>(1e-2));

    // Everything a state holds, as digests taken at once (a donated state's memory is written again later).
    private static string[] Digests(TrainState<float> s) => [s.Params.Digest(), .. s.Opt.Slots.Values.Select(tree => tree.Digest())];

    private static List<string[]> Run(Trainer<float, int> trainer, int steps, StepBuffers? buffers, bool donate)
    {
        var (s, seen) = (Start(trainer), new List<string[]>());
        for (var i = 0; i < steps; i++)
        {
            s = trainer.Step(s, i, buffers, donate).State;
            seen.Add(Digests(s));
        }
        return seen;
    }

    [Fact]
    public void Donated_steps_give_the_same_bits_as_fresh_ones()
    {
        var (fresh, donated) = (Run(AdamW, 6, buffers: null, donate: false), Run(AdamW, 6, new StepBuffers(), donate: true));
        Assert.Equal(fresh, donated);
        Assert.Equal(6, donated.Select(d => d[0]).Distinct().Count());
    }

    [Fact]
    public void Donated_steps_build_their_states_in_the_memory_of_earlier_ones()
    {
        const long tree = (Inputs * Classes + Classes) * sizeof(float);
        long AllocatedPerStep(bool donate)
        {
            var (s, buffers) = (Start(AdamW), new StepBuffers());
            for (var i = 0; i < 3; i++) s = AdamW.Step(s, i, buffers, donate).State;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 3; i < 6; i++) s = AdamW.Step(s, i, buffers, donate).State;
            return (GC.GetAllocatedBytesForCurrentThread() - before) / 3;
        }
        // Kept states need new parameters and two new moments every step; donated ones need none of them.
        Assert.True(AllocatedPerStep(donate: false) > 3 * tree, "a step without donation allocated less than its new state");
        Assert.True(AllocatedPerStep(donate: true) < tree / 4, $"a donated step allocated {AllocatedPerStep(donate: true)} bytes");
    }

    // Heavy ball in parameter form, u = −lr·g + ½(p − p_prev): the state keeps the parameters themselves, so the
    // state after a step holds tensors of the donated state before it, and reads them in the next step.
    private static readonly Transform<float> HeavyBall = new(
        p => OptState<float>.Empty.With("prev", p),
        (g, s, p) => (g.Scale(-0.05f).Add(p.Add(s["prev"].Scale(-1f)).Scale(0.5f)), s.With("prev", p)));

    [Fact]
    public void What_the_new_state_still_holds_is_never_donated()
    {
        var trainer = new Trainer<float, int>(Loss, HeavyBall);
        Assert.Equal(Run(trainer, 5, buffers: null, donate: false), Run(trainer, 5, new StepBuffers(), donate: true));
        // s2 keeps s1's parameters as "prev" although s1 was donated; a later step must not build in them.
        var buffers = new StepBuffers();
        var s1 = trainer.Step(Start(trainer), 0, buffers, donate: false).State;
        var s2 = trainer.Step(s1, 1, buffers, donate: true).State;
        var kept = Digests(s2);
        trainer.Step(s2, 2, buffers, donate: false);
        Assert.Equal(kept, Digests(s2));
    }

    [Fact]
    public void Fit_donates_its_own_states_but_never_the_callers()
    {
        var reusing = AdamW with { ReuseBuffers = true };
        var start = Start(reusing);
        var before = Digests(start);
        var fitted = reusing.Fit(start, Enumerable.Range(0, 5));
        Assert.Equal(before, Digests(start));
        Assert.Equal(Digests(AdamW.Fit(Start(AdamW), Enumerable.Range(0, 5))), Digests(fitted));
    }
}
