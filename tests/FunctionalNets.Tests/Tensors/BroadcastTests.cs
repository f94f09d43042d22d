using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Tensors;

/// <summary>Broadcasting by the definition, one multi-index at a time: the reference the fast paths must match.</summary>
internal static class NaiveBroadcast
{
    /// <summary>The flat index into <paramref name="s"/> of output multi-index <paramref name="index"/>, aligned at the trailing axes.</summary>
    public static int Source(Shape s, int[] index)
    {
        var offset = 0;
        for (var k = 0; k < s.Rank; k++)
        {
            var i = index[index.Length - s.Rank + k];
            offset = offset * s[k] + (s[k] == 1 ? 0 : i);
        }
        return offset;
    }

    public static int[] MultiIndex(Shape s, int flat)
    {
        var index = new int[s.Rank];
        for (var k = s.Rank - 1; k >= 0; k--)
        {
            index[k] = flat % s[k];
            flat /= s[k];
        }
        return index;
    }

    public static Tensor<double> Binary(Tensor<double> a, Tensor<double> b, Shape shape, Func<double, double, double> f) =>
        Tensor.Build<double>(shape, y =>
        {
            for (var i = 0; i < y.Length; i++)
            {
                var index = MultiIndex(shape, i);
                y[i] = f(a.Span[Source(a.Shape, index)], b.Span[Source(b.Shape, index)]);
            }
        });

    /// <summary>Sums x down to <paramref name="shape"/>, each output adding its terms in x's row-major order.</summary>
    public static Tensor<double> SumTo(Tensor<double> x, Shape shape) =>
        Tensor.BuildZeroed<double>(shape, y =>
        {
            for (var i = 0; i < x.Size; i++)
                y[Source(shape, MultiIndex(x.Shape, i))] += x.Span[i];
        });
}

public class BroadcastTests
{
    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3 }, new[] { 2, 3 })]
    [InlineData(new[] { 3, 1 }, new[] { 1, 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 4, 1, 5 }, new[] { 3, 1 }, new[] { 4, 3, 5 })]
    [InlineData(new int[0], new[] { 2, 2 }, new[] { 2, 2 })]
    [InlineData(new[] { 0 }, new[] { 1 }, new[] { 0 })]
    [InlineData(new[] { 1, 1 }, new[] { 1 }, new[] { 1, 1 })]
    public void ResultShape_aligns_trailing_axes_and_stretches_ones(int[] a, int[] b, int[] expected)
    {
        Assert.Equal(Shape.Of(expected), Broadcast.ResultShape("Op", a, b));
        Assert.Equal(Shape.Of(expected), Broadcast.ResultShape("Op", b, a));
    }

    [Fact]
    public void ResultShape_mismatch_names_op_and_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Broadcast.ResultShape("Add", [2, 3], [4]));
        Assert.Equal("Add: cannot broadcast [2, 3] with [4]", ex.Message);
    }

    [Fact]
    public void To_stretches_a_column_across_rows_hand_checked()
    {
        var y = Broadcast.To(Tensor.Matrix([1.0], [2.0]), [2, 3]);
        Assert.Equal(Tensor.Matrix([1.0, 1, 1], [2.0, 2, 2]), y);
    }

    [Fact]
    public void SumTo_sums_the_stretched_axes_hand_checked()
    {
        var x = Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]);
        Assert.Equal(Tensor.Vector(5.0, 7, 9), Broadcast.SumTo(x, [3]));
        Assert.Equal(Tensor.Matrix([6.0], [15.0]), Broadcast.SumTo(x, [2, 1]));
        Assert.Equal(Tensor.Scalar(21.0), Broadcast.SumTo(x, Shape.Scalar));
        Assert.Equal(Tensor.Zeros<double>([1, 3]), Broadcast.SumTo(Tensor.Zeros<double>([0, 3]), [1, 3]));
    }

    [Fact]
    public void To_and_SumTo_errors_name_the_shapes()
    {
        var to = Assert.Throws<ArgumentException>(() => Broadcast.To(Tensor.Zeros<double>([2]), [3, 4]));
        Assert.Equal("Broadcast.To: cannot broadcast [2] to [3, 4]", to.Message);
        var sum = Assert.Throws<ArgumentException>(() => Broadcast.SumTo(Tensor.Zeros<double>([3, 4]), [2]));
        Assert.Equal("Broadcast.SumTo: cannot sum [3, 4] down to [2]", sum.Message);
    }

    [Fact]
    public void Elementwise_matches_the_definition_on_every_shape_pair() =>
        BroadcastGens.Pair().Sample((a, b) =>
        {
            var shape = Broadcast.ResultShape("Subtract", a.Shape, b.Shape);
            Assert.True(Subtract.Forward(a, b).BitEquals(NaiveBroadcast.Binary(a, b, shape, (u, v) => u - v)));
            Assert.True(Subtract.Forward(b, a).BitEquals(NaiveBroadcast.Binary(b, a, shape, (u, v) => u - v)));
        }, iter: OpLaws.Iterations);

    [Fact]
    public void To_matches_the_definition() =>
        BroadcastGens.Full.SelectMany(full => Gen.Select(Gen.Const(full), BroadcastGens.StretchableTo(full)))
            .SelectMany((full, s) => Gen.Select(Gen.Const(full), Gens.Tensor(s)))
            .Sample((full, x) =>
                Broadcast.To(x, full).BitEquals(NaiveBroadcast.Binary(x, x, full, (u, _) => u)), iter: OpLaws.Iterations);

    [Fact]
    public void SumTo_is_bit_identical_to_a_row_major_left_fold() =>
        BroadcastGens.Full.SelectMany(full => Gen.Select(Gens.Tensor(full), BroadcastGens.StretchableTo(full)))
            .Sample((x, s) => Broadcast.SumTo(x, s).BitEquals(NaiveBroadcast.SumTo(x, s)), iter: OpLaws.Iterations);

    [Fact]
    public void SumTo_after_To_multiplies_by_the_stretch_factor() =>
        BroadcastGens.Full.SelectMany(full => Gen.Select(Gen.Const(full), BroadcastGens.StretchableTo(full)))
            .SelectMany((full, s) => Gen.Select(Gen.Const(full), BroadcastGens.Integers(s)))
            .Sample((full, x) =>
            {
                var factor = full.Size / x.Size;
                var expected = Tensor.Build<double>(x.Shape, y =>
                {
                    for (var i = 0; i < y.Length; i++) y[i] = factor * x.Span[i];
                });
                Assert.Equal(expected, Broadcast.SumTo(Broadcast.To(x, full), x.Shape));
            }, iter: OpLaws.Iterations);
}
