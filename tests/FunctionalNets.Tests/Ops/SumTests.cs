using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;
using FunctionalNets.Tests.Tensors;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Reductions_Sum =>
    [
        OpSpec.Unary($"{nameof(Sum)}(all)", Gens.Tensor(), x => Sum.Forward(x), (x, dy) => Sum.Vjp(x, dy), x => Sum.Forward(x),
            x => Sum.Apply(x), x => Sum.Apply(x)),
        OpSpec.Unary($"{nameof(Sum)}([0, 2], keepDims)", Gens.Tensor(minRank: 3), x => Sum.Forward(x, [0, 2], keepDims: true),
            (x, dy) => Sum.Vjp(x, dy, [0, 2], keepDims: true), x => Sum.Forward(x, [0, 2], keepDims: true),
            x => Sum.Apply(x, [0, 2], keepDims: true), x => Sum.Apply(x, [0, 2], keepDims: true)),
        OpSpec.Unary($"{nameof(Sum)}([-1])", Gens.Tensor(), x => Sum.Forward(x, [-1]), (x, dy) => Sum.Vjp(x, dy, [-1]), x => Sum.Forward(x, [-1]),
            x => Sum.Apply(x, [-1]), x => Sum.Apply(x, [-1])),
    ];
}

/// <summary>A tensor with a random subset of its axes (some written negative) and a keepDims flag.</summary>
internal static class ReductionGens
{
    public static Gen<(Tensor<double> X, int[] Axes, bool KeepDims)> Axes(Func<Shape, Gen<Tensor<double>>> tensor) =>
        Gens.Shape(1, 3).SelectMany(s => Gen.Select(tensor(s), Gen.Bool.Array[s.Rank], Gen.Bool.Array[s.Rank], Gen.Bool))
            .Select((x, pick, negative, keepDims) =>
                (x, Enumerable.Range(0, x.Rank).Where(a => pick[a]).Select(a => negative[a] ? a - x.Rank : a).ToArray(), keepDims));
}

public class SumTests
{
    private static readonly Tensor<double> X = Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]);

    [Fact]
    public void Sum_hand_checked()
    {
        Assert.Equal(Tensor.Scalar(21.0), Sum.Forward(X));
        Assert.Equal(Tensor.Vector(5.0, 7, 9), Sum.Forward(X, [0]));
        Assert.Equal(Tensor.Vector(6.0, 15), Sum.Forward(X, [1]));
        Assert.Equal(Tensor.Matrix([6.0], [15.0]), Sum.Forward(X, [-1], keepDims: true));
        Assert.Equal(Tensor.Matrix([21.0]), Sum.Forward(X, [0, 1], keepDims: true));
        Assert.Equal(X, Sum.Forward(X, []));
    }

    [Fact]
    public void Sum_vjp_copies_dy_along_the_summed_axes_hand_checked()
    {
        Assert.Equal(Tensor.Matrix([1.0, 2, 3], [1.0, 2, 3]), Sum.Vjp(X, Tensor.Vector(1.0, 2, 3), [0]));
        Assert.Equal(Tensor.Matrix([1.0, 1, 1], [2.0, 2, 2]), Sum.Vjp(X, Tensor.Matrix([1.0], [2.0]), [1], keepDims: true));
        Assert.Equal(Tensor.Full<double>([2, 3], 4), Sum.Vjp(X, Tensor.Scalar(4.0)));
    }

    [Fact]
    public void Sum_of_an_empty_axis_is_zero() =>
        Assert.Equal(Tensor.Zeros<double>([3]), Sum.Forward(Tensor.Zeros<double>([0, 3]), [0]));

    [Fact]
    public void Sum_over_all_axes_is_a_left_fold_in_index_order() =>
        Gens.Tensor(maxDim: 9).Sample(x =>
        {
            var acc = 0.0;
            foreach (var v in x.Span) acc += v;
            return Sum.Forward(x).BitEquals(Tensor.Scalar(acc));
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Sum_over_all_axes_equals_sum_over_axis_0_then_the_rest_on_integers() =>
        Gens.Shape(1, 3).SelectMany(s => BroadcastGens.Integers(s)).Sample(x =>
            Sum.Forward(x) == Sum.Forward(Sum.Forward(x, [0])), iter: OpLaws.Iterations);

    [Fact]
    public void Sum_over_axes_is_bit_identical_to_the_row_major_definition() =>
        ReductionGens.Axes(s => Gens.Tensor(s)).Sample((x, axes, keepDims) =>
        {
            var kept = x.Shape.ToArray();
            foreach (var a in axes) kept[x.Shape.Axis(a, "test")] = 1;
            var expected = NaiveBroadcast.SumTo(x, kept);
            return Sum.Forward(x, axes, keepDims: true).BitEquals(expected)
                && Sum.Forward(x, axes, keepDims).Shape.Size == expected.Size;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Sum_vjp_broadcasts_dy_back_over_the_summed_axes() =>
        ReductionGens.Axes(s => Gens.Tensor(s)).Sample((x, axes, keepDims) =>
        {
            var dy = Draw.Like(Sum.Forward(x, axes, keepDims), 42);
            var kept = x.Shape.ToArray();
            foreach (var a in axes) kept[x.Shape.Axis(a, "test")] = 1;
            var dx = Sum.Vjp(x, dy, axes, keepDims);
            Assert.Equal(x.Shape, dx.Shape);
            for (var i = 0; i < x.Size; i++)
                Assert.Equal(dy.Span[NaiveBroadcast.Source(kept, NaiveBroadcast.MultiIndex(x.Shape, i))], dx.Span[i]);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Sum_bad_axis_names_op_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Sum.Forward(X, [2]));
        Assert.Equal("Sum: axis 2 is out of range for shape [2, 3]", ex.Message);
        var twice = Assert.Throws<ArgumentException>(() => Sum.Forward(X, [1, -1]));
        Assert.Equal("Sum: axis -1 repeats an axis in [1, -1] for shape [2, 3]", twice.Message);
    }

    [Fact]
    public void Sum_vjp_with_wrong_cotangent_shape_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Sum.Vjp(X, Tensor.Vector(1.0, 2), [0]));
        Assert.Equal("Sum: dy shape [2] does not match output [3] of input [2, 3]", ex.Message);
    }
}
