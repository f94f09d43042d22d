using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public class TopKTests
{
    [Fact]
    public void TopK_hand_checked_vector_ties_and_nan()
    {
        var (v, i) = TopK.Forward(Tensor.Vector(3.0, 1, 4, 1, 5), 3);
        Assert.Equal(Tensor.Vector(5.0, 4, 3), v);
        Assert.Equal(Tensor.Vector(4, 2, 0), i);
        // Equal values keep index order: the two 7s come out as 1 then 2.
        Assert.Equal(Tensor.Vector(1, 2, 0), TopK.Forward(Tensor.Vector(2.0, 7, 7, 1), 3).Indices);
        Assert.Equal(Tensor.Vector(1, 2), TopK.Forward(Tensor.Vector(2.0, double.NaN, 9, 1), 2).Indices);
    }

    [Fact]
    public void TopK_along_the_first_axis_of_a_matrix()
    {
        var (v, i) = TopK.Forward(Tensor.Matrix([1.0, 8], [6.0, 2], [4.0, 9]), 2, axis: 0);
        Assert.Equal(Tensor.Matrix([6.0, 9], [4.0, 8]), v);
        Assert.Equal(Tensor.Matrix([1, 2], [2, 0]), i);
    }

    [Fact]
    public void TopK_matches_a_stable_descending_sort_of_each_lane() =>
        Gen.Select(Gens.Tensor(minRank: 1, maxRank: 3, maxDim: 6, lo: -2, hi: 2), Gen.Int[0, 2], Gen.Int[0, 6]).Sample((x, pick, kPick) =>
        {
            var halves = Tensor.Build<double>(x.Shape, y => { for (var i = 0; i < y.Length; i++) y[i] = Math.Round(x.Span[i] * 2) / 2; });
            var axis = pick % halves.Rank;
            var (outer, n, inner) = (halves.Shape.SizeOf(0, axis), halves.Shape[axis], halves.Shape.SizeOf(axis + 1, halves.Rank));
            var k = kPick % (n + 1);
            var (values, ids) = TopK.Forward(halves, k, axis);
            if (values.Shape != halves.Shape.WithDim(axis, k) || ids.Shape != values.Shape) return false;
            for (var o = 0; o < outer; o++)
                for (var i = 0; i < inner; i++)
                {
                    // LINQ's OrderByDescending is a stable sort: equal values stay in index order.
                    var expected = Enumerable.Range(0, n).OrderByDescending(j => halves.Span[(o * n + j) * inner + i]).Take(k).ToArray();
                    for (var j = 0; j < k; j++)
                    {
                        var at = (o * k + j) * inner + i;
                        if (ids.Span[at] != expected[j] || values.Span[at] != halves.Span[(o * n + expected[j]) * inner + i]) return false;
                    }
                }
            return true;
        });

    [Fact]
    public void TopK_of_one_is_ArgMax() =>
        Gens.Tensor(minRank: 1, maxRank: 3, maxDim: 5).Sample(x => TopK.Forward(x, 1).Indices.Equals(ArgMax.Forward(x, keepDims: true)));

    [Fact]
    public void TopK_of_zero_is_empty_and_of_too_many_names_op_k_and_shape()
    {
        Assert.Equal(Shape.Of(2, 0), TopK.Forward(Tensor.Zeros<double>([2, 3]), 0).Values.Shape);
        var ex = Assert.Throws<ArgumentException>(() => TopK.Forward(Tensor.Zeros<double>([2, 3]), 4));
        Assert.Contains("TopK", ex.Message);
        Assert.Contains("k = 4", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }
}
