using FunctionalNets.Optim;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

public class TransformTests
{
    [Fact]
    public void OptState_equality_is_by_step_and_tree_values()
    {
        var a = OptState<double>.Empty.With("mu", P0.ZerosLike());
        var b = OptState<double>.Empty.With("mu", P0.ZerosLike());
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, a with { Step = 1 });
        Assert.NotEqual(a, a.With("mu", P0));
    }

    [Fact]
    public void OptState_lookup_of_a_missing_tree_lists_the_names()
    {
        var s = OptState<double>.Empty.With("mu", P0).With("nu", P0);
        Assert.Equal("OptState: no tree named 'trace' (have: mu, nu)", Assert.Throws<KeyNotFoundException>(() => s["trace"]).Message);
    }

    [Fact]
    public void Chain_prefixes_each_members_trees_with_its_position()
    {
        var t = Optimizer.Chain(Optimizer.ClipByGlobalNorm<double>(1), Optimizer.ScaleByAdam<double>(), Optimizer.Trace<double>(0.9));
        var s = t.Init(P0);
        Assert.Equal(["1/mu", "1/nu", "2/trace"], s.Slots.Keys);
        var (_, s1) = t.Update(Grads[0], s, P0);
        Assert.Equal(["1/mu", "1/nu", "2/trace"], s1.Slots.Keys);
        Assert.Equal(1, s1.Step);
    }

    [Fact]
    public void Chain_of_ten_or_more_members_keeps_each_members_trees_apart()
    {
        // "1/" must not claim "10/trace": each member sees only its own trees.
        var members = Enumerable.Range(0, 11).Select(i => i is 1 or 10 ? Optimizer.Trace<double>(i / 20.0) : Optimizer.Identity<double>()).ToArray();
        var (t, reference) = (Optimizer.Chain(members), Optimizer.Chain(Optimizer.Trace<double>(0.05), Optimizer.Trace<double>(0.5)));
        var s = t.Init(P0);
        Assert.Equal(["1/trace", "10/trace"], s.Slots.Keys);
        var (u1, s1) = t.Update(Grads[0], s, P0);
        var (u2, s2) = t.Update(Grads[1], s1, P0);
        var (r1, rs1) = reference.Update(Grads[0], reference.Init(P0), P0);
        var (r2, rs2) = reference.Update(Grads[1], rs1, P0);
        Assert.Equal(r1, u1);
        Assert.Equal(r2, u2);
        Assert.Equal(rs2["0/trace"], s2["1/trace"]);
        Assert.Equal(rs2["1/trace"], s2["10/trace"]);
    }

    [Fact]
    public void Nested_chains_prefix_each_level()
    {
        var t = Optimizer.Chain(Optimizer.ScaleByAdam<double>(), Optimizer.Chain(Optimizer.Identity<double>(), Optimizer.Trace<double>(0.9)));
        var (_, s1) = t.Update(Grads[0], t.Init(P0), P0);
        Assert.Equal(["0/mu", "0/nu", "1/1/trace"], s1.Slots.Keys);
        Assert.Equal(1, s1.Step);
    }

    [Fact]
    public void Chain_copies_its_members_so_later_edits_to_the_array_do_not_leak_in()
    {
        Transform<double>[] members = [Optimizer.Sgd<double>(0.1)];
        var t = Optimizer.Chain(members);
        members[0] = Optimizer.Sgd<double>(1000);
        var (u, _) = t.Update(Grads[0], t.Init(P0), P0);
        Close([.. Flat(Grads[0]).Select(g => -0.1 * g)], u);
    }
}
