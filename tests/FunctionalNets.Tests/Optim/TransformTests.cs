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
    public void Chain_copies_its_members_so_later_edits_to_the_array_do_not_leak_in()
    {
        Transform<double>[] members = [Optimizer.Sgd<double>(0.1)];
        var t = Optimizer.Chain(members);
        members[0] = Optimizer.Sgd<double>(1000);
        var (u, _) = t.Update(Grads[0], t.Init(P0), P0);
        Close([.. Flat(Grads[0]).Select(g => -0.1 * g)], u);
    }
}
