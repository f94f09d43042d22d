using System.Numerics;
using FunctionalNets.Tests.Kernels;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Optim;

[Collection(ExclusivePool.Name)]
public class AdamWTests
{
    // The chain AdamW is documented to be, built from its members.
    private static Transform<T> Unfused<T>(Schedule lr, double wd, Func<string, Tensor<T>, bool>? mask)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Optimizer.Chain(Optimizer.ScaleByAdam<T>(), Optimizer.AddDecayedWeights(wd, mask), Optimizer.ScaleByLearningRate<T>(lr));

    // A tree whose tensors exercise the kernel's scalar tail (5), vectors plus a tail (1 000) and a split over
    // threads (70 001 elements in a matrix, so MatricesOnly decays it), and gradients for three steps.
    private static (Params<T> P, Params<T>[] Grads) Tree<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Params<T> At(Key key) => Params<T>.Of([
            KeyValuePair.Create("a/bias", Sample.Normal<T>(key.FoldIn(0u), [5])),
            KeyValuePair.Create("a/gain", Sample.Normal<T>(key.FoldIn(1u), [1_000])),
            KeyValuePair.Create("b/w", Sample.Normal<T>(key.FoldIn(2u), [7, 10_001])),
        ]);
        return (At(Key.FromSeed(7)), [.. Enumerable.Range(0, 3).Select(i => At(Key.FromSeed(8).FoldIn((uint)i)))]);
    }

    // Three steps of both, with the given thread count: every update and state must be the same bits.
    private static void AssertSameBitsAsTheChain<T>(int threads, Func<string, Tensor<T>, bool>? mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Schedule lr = step => 1e-3 / (step + 1);
        var (fused, chain) = (Optimizer.AdamW(lr, 0.1, mask: mask), Unfused(lr, 0.1, mask));
        var (p, grads) = Tree<T>();
        OnThreads.Run(threads, () =>
        {
            var (sf, sc) = (fused.Init(p), chain.Init(p));
            Assert.Equal(sc, sf);
            foreach (var g in grads)
            {
                var ((uf, nf), (uc, nc)) = (fused.Update(g, sf, p), chain.Update(g, sc, p));
                Assert.Equal(uc.Digest(), uf.Digest());
                Assert.Equal(nc.Step, nf.Step);
                Assert.Equal(nc.Slots.Keys, nf.Slots.Keys);
                Assert.All(nc.Slots, kv => Assert.Equal(kv.Value.Digest(), nf[kv.Key].Digest()));
                (p, sf, sc) = (Optimizer.ApplyUpdates(p, uf), nf, nc);
            }
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Float_adamw_gives_the_bits_of_its_chain(int threads)
    {
        AssertSameBitsAsTheChain<float>(threads, null);
        AssertSameBitsAsTheChain<float>(threads, ParamMask.MatricesOnly);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Double_adamw_gives_the_bits_of_its_chain(int threads) => AssertSameBitsAsTheChain<double>(threads, ParamMask.MatricesOnly);

    [Fact]
    public void Adamw_keeps_its_state_under_the_chain_names()
    {
        var (p, grads) = Tree<double>();
        var adamw = Optimizer.AdamW<double>(1e-3);
        var (_, s) = adamw.Update(grads[0], adamw.Init(p), p);
        Assert.Equal(["0/mu", "0/nu"], s.Slots.Keys);
        Assert.Equal(1, s.Step);
    }

    [Fact]
    public void Adamw_names_the_member_whose_trees_differ()
    {
        var (p, grads) = Tree<double>();
        var adamw = Optimizer.AdamW<double>(1e-3);
        var other = p.With("c", Tensor.Zeros<double>([2]));
        Assert.Equal("ScaleByAdam: parameter trees differ at 'c'", Assert.Throws<ArgumentException>(() => adamw.Update(other, adamw.Init(p), other)).Message);
        Assert.Equal("AddDecayedWeights: parameter trees differ at 'c'", Assert.Throws<ArgumentException>(() => adamw.Update(grads[0], adamw.Init(p), other)).Message);
    }
}
