using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Attention_MultiHeadAttention =>
    [
        MultiHeadAttentionTests.Spec(causal: false),
        MultiHeadAttentionTests.Spec(causal: true),
    ];
}

public class MultiHeadAttentionTests
{
    // Inputs [qkv, heads]: the head count rides along as a whole number with no gradient.
    internal static OpSpec Spec(bool causal) => new(nameof(MultiHeadAttention) + (causal ? "(causal)" : ""),
        Packed.Select(p => new[] { p.Qkv, Tensor.Scalar((double)p.Heads) }),
        xs => MultiHeadAttention.Forward(xs[0], HeadsOf(xs[1]), causal).Y,
        (xs, dy) => [MultiHeadAttention.Vjp(xs[0], HeadsOf(xs[1]), MultiHeadAttention.Forward(xs[0], HeadsOf(xs[1]), causal).Saved, dy), null],
        xs => MultiHeadAttention.Forward(xs[0], HeadsOf(xs[1]), causal).Y,
        Apply: xs => MultiHeadAttention.Apply(xs[0], HeadsOf(xs[1].Value), causal),
        ApplyFloat: xs => MultiHeadAttention.Apply(xs[0], HeadsOf(xs[1].Value), causal));

    private static int HeadsOf<T>(Tensor<T> heads)
        where T : unmanaged, System.Numerics.INumber<T> => int.CreateTruncating(heads.ToScalar());

    /// <summary>
    /// qkv [B, T, 3·H·D] with B ≤ 2, T ≤ 5 or up to 64, H ≤ 3 heads of width D ≤ 4 or up to 20 (widths of 16 and
    /// more run full vectors in the head slices).
    /// </summary>
    private static Gen<(Tensor<double> Qkv, int Heads)> Packed =>
        Gen.Select(Gen.Int[1, 2], Gens.Dim(5, 64), Gen.Int[1, 3], Gens.Dim(4, 20))
            .SelectMany((b, t, h, d) => Gens.Tensor(Shape.Of(b, t, 3 * h * d), -2, 2).Select(x => (x, h)));

    // The unfused reference: slice q, k and v out of qkv, split heads, Attention, merge heads.
    private static (Tensor<float> Y, Tensor<float> Dqkv) Unfused(Tensor<float> qkv, int heads, bool causal, Tensor<float> dy)
    {
        var c = qkv.Dim(2) / 3;
        var net = from input in Net.Variable(qkv)
                  from parts in Split.Apply(input, [c, c, c], axis: 2)
                  from q in SelfAttention.SplitHeads(parts[0], heads)
                  from k in SelfAttention.SplitHeads(parts[1], heads)
                  from v in SelfAttention.SplitHeads(parts[2], heads)
                  from a in Attention.Apply(q, k, v, causal)
                  from merged in SelfAttention.MergeHeads(a)
                  select (input, merged);
        var ((x, y), s) = net.Run(NetState<float>.Start(Params<float>.Empty, recording: true));
        return (y.Value, Grad.Backward(s.Tape, s.NextSlot, y.Id, dy)[x.Id]!);
    }

    [Fact]
    public void Has_the_bits_of_splitting_heads_attending_and_merging() =>
        Gen.Select(Packed, Gen.Bool).Sample((p, causal) =>
        {
            var qkv = p.Qkv.ToFloat();
            var (y, saved) = MultiHeadAttention.Forward(qkv, p.Heads, causal);
            var dy = Sample.Normal<float>(Key.FromSeed((ulong)qkv.Size), y.Shape);
            var (yRef, dRef) = Unfused(qkv, p.Heads, causal, dy);
            // The cotangent is compared by value: the tape adds the zero-padded cotangents of the three split pieces,
            // which turns a −0 (a key no query attends to, say) into +0; every other bit must match.
            return y.BitEquals(yRef) && MultiHeadAttention.Vjp(qkv, p.Heads, saved, dy).Equals(dRef);
        });

    [Fact]
    public void Causal_first_token_attends_only_to_itself()
    {
        // With one head of width 1 the first output is exactly the first token's value, whatever the scores.
        var qkv = Tensor.From<double>(Shape.Of(1, 3, 3), [0.3, -1.2, 2.5, 0.7, 0.1, -4, 1.5, 2, 9]);
        var (y, saved) = MultiHeadAttention.Forward(qkv, heads: 1, causal: true);
        Assert.Equal(2.5, y[0, 0, 0]);
        Assert.Equal(1.0, saved.P[0, 0, 0, 0]);
        Assert.Equal(0.0, saved.P[0, 0, 0, 1]);
    }

    [Theory]
    [InlineData(new[] { 2, 3, 8 }, 2)]
    [InlineData(new[] { 2, 3, 12 }, 0)]
    [InlineData(new[] { 3, 12 }, 2)]
    public void Bad_shapes_or_head_counts_name_the_op_and_the_shape(int[] shape, int heads)
    {
        var ex = Assert.Throws<ArgumentException>(() => MultiHeadAttention.Forward(Tensor.Zeros<double>(Shape.Of(shape)), heads));
        Assert.Contains("MultiHeadAttention", ex.Message);
        Assert.Contains(Shape.Of(shape).ToString(), ex.Message);
    }
}
