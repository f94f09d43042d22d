using System.Numerics;
using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Shape_SwapAxes =>
    [
        ShapeFamily.Spec(nameof(SwapAxes), SwapAxesTests.Cases, SwapAxesTests.Run, (s, _, dy) => [SwapAxes.Vjp(dy, s[0], s[1])], SwapAxesTests.Run,
            (s, xs) => SwapAxes.Apply(xs[0], s[0], s[1]), (s, xs) => SwapAxes.Apply(xs[0], s[0], s[1])),
    ];
}

public class SwapAxesTests
{
    /// <summary>A tensor of rank 1 to 4 and two of its axes (possibly equal, possibly negative).</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Tensor(minRank: 1, maxRank: 4, maxDim: 4).SelectMany(x =>
            Gen.Select(Gen.Int[-x.Rank, x.Rank - 1], Gen.Int[-x.Rank, x.Rank - 1]).Select((d0, d1) => (new[] { d0, d1 }, new[] { x })));

    internal static Tensor<T> Run<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => SwapAxes.Forward(xs[0], s[0], s[1]);

    [Fact]
    public void SwapAxes_hand_checked_first_and_last_of_rank_3()
    {
        // x = arange(24) as [2, 3, 4]: x[a, b, c] = 12a + 4b + c, and y[c, b, a] = x[a, b, c].
        var y = SwapAxes.Forward(Tensor.Arange<double>(24).Reshape([2, 3, 4]), 0, -1);
        Assert.Equal(Shape.Of(4, 3, 2), y.Shape);
        Assert.Equal(12 * 1 + 4 * 2 + 3, y[3, 2, 1]);
        Assert.Equal(4 * 1 + 2, y[2, 1, 0]);
    }

    [Fact]
    public void SwapAxes_is_the_transpose_by_the_exchanging_permutation_and_its_own_inverse() =>
        Cases.Sample((s, xs) =>
        {
            var x = xs[0];
            var perm = Enumerable.Range(0, x.Rank).ToArray();
            var (a, b) = (s[0] < 0 ? s[0] + x.Rank : s[0], s[1] < 0 ? s[1] + x.Rank : s[1]);
            (perm[a], perm[b]) = (perm[b], perm[a]);
            var y = SwapAxes.Forward(x, s[0], s[1]);
            return y.BitEquals(Transpose.Forward(x, perm)) && SwapAxes.Forward(y, s[1], s[0]).BitEquals(x);
        });

    [Fact]
    public void SwapAxes_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Arange<double>(6).Reshape([1, 2, 3]);
        var dy = Tensor.Arange<double>(6, 1, 1).Reshape([3, 2, 1]);
        var (y, dxs) = ShapeFamily.OnTape(v => SwapAxes.Apply(v[0], 0, 2), dy, x);
        Assert.Equal(SwapAxes.Forward(x, 0, 2), y);
        Assert.Equal(SwapAxes.Vjp(dy, 0, 2), dxs[0]);
    }

    [Fact]
    public void SwapAxes_bad_axis_names_op_axis_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => SwapAxes.Forward(Tensor.Zeros<double>([2, 3]), 0, 2));
        Assert.Contains("SwapAxes", ex.Message);
        Assert.Contains("axis 2", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }
}
