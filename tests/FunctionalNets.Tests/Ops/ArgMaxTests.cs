using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public class ArgMaxTests
{
    [Fact]
    public void ArgMax_hand_checked_rows_columns_and_ties()
    {
        var x = Tensor.Matrix([1.0, 3, 3], [5.0, -1, 2]);
        Assert.Equal(Tensor.Vector(1, 0), ArgMax.Forward(x));               // row 0's tie goes to the first 3
        Assert.Equal(Tensor.Vector(1, 0, 0), ArgMax.Forward(x, axis: 0));
        Assert.Equal(Shape.Of(2, 1), ArgMax.Forward(x, keepDims: true).Shape);
    }

    [Fact]
    public void ArgMax_points_at_the_first_NaN()
    {
        Assert.Equal(1, ArgMax.Forward(Tensor.Vector(1.0, double.NaN, 5, double.NaN)).ToScalar());
        Assert.Equal(2, ArgMax.Forward(Tensor.Vector(float.NegativeInfinity, -3f, 7f)).ToScalar());
    }

    [Fact]
    public void ArgMax_is_the_first_position_of_the_largest_entry_of_each_lane() =>
        Gen.Select(Gens.Tensor(minRank: 1, maxRank: 4, maxDim: 5, lo: -2, hi: 2), Gen.Int[0, 3]).Sample((x, pick) =>
        {
            // Values rounded to halves, so ties are common.
            var halves = Tensor.Build<double>(x.Shape, y => { for (var i = 0; i < y.Length; i++) y[i] = Math.Round(x.Span[i] * 2) / 2; });
            var axis = pick % halves.Rank;
            var ids = ArgMax.Forward(halves, axis);
            var (outer, n, inner) = (halves.Shape.SizeOf(0, axis), halves.Shape[axis], halves.Shape.SizeOf(axis + 1, halves.Rank));
            for (var o = 0; o < outer; o++)
                for (var i = 0; i < inner; i++)
                {
                    var lane = Enumerable.Range(0, n).Select(j => halves.Span[(o * n + j) * inner + i]).ToList();
                    if (ids.Span[o * inner + i] != lane.IndexOf(lane.Max())) return false;
                }
            return true;
        });

    [Fact]
    public void ArgMax_of_an_empty_axis_and_a_bad_axis_name_op_and_shape()
    {
        var empty = Assert.Throws<ArgumentException>(() => ArgMax.Forward(Tensor.Zeros<double>([2, 0])));
        Assert.Contains("ArgMax", empty.Message);
        Assert.Contains("[2, 0]", empty.Message);
        var axis = Assert.Throws<ArgumentException>(() => ArgMax.Forward(Tensor.Zeros<double>([2, 3]), axis: 2));
        Assert.Contains("ArgMax", axis.Message);
        Assert.Contains("[2, 3]", axis.Message);
    }
}
