using FunctionalNets.Optim;
using FunctionalNets.Tensors;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

public class OptimizerTests
{
    public static TheoryData<string, Transform<double>> Transforms => new()
    {
        { "Sgd", Optimizer.Sgd<double>(0.1) },
        { "Momentum", Optimizer.Momentum<double>(0.1, 0.9) },
        { "Nesterov", Optimizer.Momentum<double>(0.1, 0.9, nesterov: true) },
        { "Adam", Optimizer.Adam<double>(Schedules.WarmupCosine(0.01, 1, 5)) },
        { "AdamW", Optimizer.AdamW<double>(0.01, 0.1, mask: ParamMask.MatricesOnly) },
        { "Clip+AdamW", Optimizer.Chain(Optimizer.ClipByGlobalNorm<double>(1.0), Optimizer.AdamW<double>(0.01)) },
    };

    [Theory, MemberData(nameof(Transforms))]
    public void Chain_with_identity_on_either_side_equals_the_transform(string name, Transform<double> t)
    {
        var (p, s, updates) = Run(t, P0, Grads);
        foreach (var chained in new[] { Optimizer.Chain(Optimizer.Identity<double>(), t), Optimizer.Chain(t, Optimizer.Identity<double>()) })
        {
            var (pc, sc, updatesC) = Run(chained, P0, Grads);
            Assert.True(p.All(kv => kv.Value.BitEquals(pc[kv.Key])), name);
            Assert.All(updates.Zip(updatesC), u => Assert.Equal(u.Item1.Digest(), u.Item2.Digest()));
            Assert.Equal(s.Step, sc.Step);
            Assert.Equal(s.Slots.Count, sc.Slots.Count);
        }
        // With Identity first, the transform's trees sit under the prefix "1/".
        var (_, first, _) = Run(Optimizer.Chain(Optimizer.Identity<double>(), t), P0, Grads);
        Assert.All(s.Slots, kv => Assert.Equal(kv.Value, first["1/" + kv.Key]));
    }

    [Fact]
    public void Chain_is_associative()
    {
        var (clip, adam, lr) = (Optimizer.ClipByGlobalNorm<double>(0.5), Optimizer.ScaleByAdam<double>(), Optimizer.ScaleByLearningRate<double>(0.1));
        var (left, _, _) = Run(Optimizer.Chain(Optimizer.Chain(clip, adam), lr), P0, Grads);
        var (right, _, _) = Run(Optimizer.Chain(clip, Optimizer.Chain(adam, lr)), P0, Grads);
        Assert.Equal(left.Digest(), right.Digest());
    }

    public static TheoryData<string, Transform<double>> WithoutDecay => new()
    {
        { "Sgd", Optimizer.Sgd<double>(0.1) },
        { "Nesterov", Optimizer.Momentum<double>(0.1, 0.9, nesterov: true) },
        { "Adam", Optimizer.Adam<double>(0.01) },
        { "Clip+AdamW(wd = 0)", Optimizer.Chain(Optimizer.ClipByGlobalNorm<double>(1.0), Optimizer.AdamW<double>(0.01, weightDecay: 0)) },
    };

    [Theory, MemberData(nameof(WithoutDecay))]
    public void Zero_gradients_without_decay_leave_the_params_unchanged(string name, Transform<double> t)
    {
        var (p, _, _) = Run(t, P0, Enumerable.Repeat(P0.ZerosLike(), 3));
        Assert.True(P0.Digest() == p.Digest(), name);
    }

    [Theory, MemberData(nameof(Transforms))]
    public void Update_leaves_its_inputs_unchanged_and_repeats_bit_for_bit(string name, Transform<double> t)
    {
        var s = t.Init(P0);
        var digests = (P0.Digest(), Grads[0].Digest(), string.Concat(s.Slots.Values.Select(tree => tree.Digest())));
        var (u1, s1) = t.Update(Grads[0], s, P0);
        var (u2, s2) = t.Update(Grads[0], s, P0);
        Assert.Equal(digests, (P0.Digest(), Grads[0].Digest(), string.Concat(s.Slots.Values.Select(tree => tree.Digest()))));
        Assert.Equal(0, s.Step);
        Assert.True(u1.Digest() == u2.Digest() && s1.Equals(s2), name);
        Assert.Equal(1, s1.Step);
    }

    [Fact]
    public void ApplyUpdates_adds_elementwise()
    {
        var p = Optimizer.ApplyUpdates(P0, Grads[0]);
        Close([0.6, -1.2, 2.3, -0.25, 0.35, 4.0], p);
    }

    [Fact]
    public void Sgd_steps_against_the_gradient_with_the_scheduled_rate()
    {
        // p ← p − lr(t)·g with lr(t) = 0.1/(t + 1): 0.1 at the first step, 0.05 at the second.
        var (p, s, _) = Run(Optimizer.Sgd<double>(step => 0.1 / (step + 1)), P0, Grads[..2]);
        var expected = Flat(P0).Zip(Flat(Grads[0]), Flat(Grads[1])).Select(x => x.First - 0.1 * x.Second - 0.05 * x.Third).ToArray();
        Close(expected, p);
        Assert.Equal(2, s.Step);
    }

    [Fact]
    public void Sgd_step_is_exactly_p_minus_lr_g()
    {
        var (p, _, _) = Run(Optimizer.Sgd<double>(0.1), P0, Grads[..1]);
        Assert.Equal(Flat(P0).Zip(Flat(Grads[0]), (w, g) => w - 0.1 * g), Flat(p));
    }

    [Fact]
    public void Float_adam_tracks_double_adam()
    {
        var (pd, _, _) = Run(Optimizer.Adam<double>(0.01), P0, Grads);
        var pf = P0.Map((_, t) => t.ToFloat());
        var adam = Optimizer.Adam<float>(0.01);
        var s = adam.Init(pf);
        foreach (var g in Grads)
        {
            var (u, s1) = adam.Update(g.Map((_, t) => t.ToFloat()), s, pf);
            (pf, s) = (Optimizer.ApplyUpdates(pf, u), s1);
        }
        Assert.True(pf.Map((_, t) => t.ToDouble()).All(kv => kv.Value.AllClose(pd[kv.Key], rtol: 1e-5, atol: 1e-6)));
    }

    [Fact]
    public void Adam_minimises_a_quadratic_as_a_fold()
    {
        // The fold from docs/optimizers.md on f(w) = ½‖w − 3‖², whose gradient is w − 3.
        static Tensor<double> Gradient(Tensor<double> w) => Tensor.Build<double>(w.Shape, g =>
        {
            for (var i = 0; i < g.Length; i++) g[i] = w.Span[i] - 3;
        });
        var p0 = P0;
        var opt = Optimizer.Adam<double>(0.1);
        var (p, s) = Enumerable.Range(0, 200).Aggregate((p0, opt.Init(p0)), (acc, _) =>
        {
            var grads = acc.Item1.Map((_, w) => Gradient(w));
            var (u, s1) = opt.Update(grads, acc.Item2, acc.Item1);
            return (Optimizer.ApplyUpdates(acc.Item1, u), s1);
        });
        Assert.Equal(200, s.Step);
        Assert.All(Flat(p), w => Assert.InRange(w, 2.99, 3.01));
    }
}
