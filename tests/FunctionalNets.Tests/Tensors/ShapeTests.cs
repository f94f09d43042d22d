using CsCheck;
using FunctionalNets.Testing;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Tensors;

public class ShapeTests
{
    [Fact]
    public void The_allocation_free_comparisons_agree_with_the_shapes_they_avoid_building()
    {
        // x is other with axis set to dim, then one axis j moved by delta: equal exactly when delta is 0.
        Gen.Select(Gens.Shape(1, 4, 0, 3), Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 1], Gen.Int[0, 3]).Sample((other, a, j, delta, dim) =>
        {
            var (axis, moved) = (a % other.Rank - other.Rank, j % other.Rank); // negative axes, as the ops pass them
            var target = other.WithDim(axis, dim);
            var x = target.WithDim(moved, target[moved] + delta);
            var without = x.Rank > 1 ? x.Without(-1) : Shape.Scalar;
            return x.EqualsWithDim(other, axis, dim) == (delta == 0) && x.EqualsWithDim(other, axis, dim) == (x == target)
                && without.EqualsWithoutLast(x) && !without.EqualsWithoutLast(other) == (without != other.Without(-1));
        }, iter: OpLaws.Iterations);
    }

    [Fact]
    public void The_comparisons_see_every_axis()
    {
        Shape s = [2, 3, 4];
        Assert.True(Shape.Of(2, 3, 7).EqualsWithDim(s, -1, 7));
        Assert.True(Shape.Of(2, 9, 4).EqualsWithDim(s, 1, 9));
        Assert.False(Shape.Of(5, 3, 7).EqualsWithDim(s, -1, 7));
        Assert.False(Shape.Of(2, 3, 7).EqualsWithDim(s, -1, 8));
        Assert.False(Shape.Of(2, 3).EqualsWithDim(s, -1, 3));
        Assert.True(Shape.Of(2, 3).EqualsWithoutLast(s));
        Assert.False(Shape.Of(2, 4).EqualsWithoutLast(s));
        Assert.False(Shape.Of(2, 3, 4).EqualsWithoutLast(s));
    }

    [Fact]
    public void A_dimension_replaced_by_itself_leaves_the_same_shape_and_an_axis_out_of_range_is_named()
    {
        Shape s = [2, 3];
        Assert.Same(s, s.WithDim(-1, 3));
        Assert.Equal(Shape.Of(2, 5), s.WithDim(1, 5));
        Assert.Equal(Shape.Of(2, 3), s); // unchanged by the call before
        Assert.Equal("Shape.WithDim: axis 2 is out of range for shape [2, 3]", Assert.Throws<ArgumentException>(() => s.WithDim(2, 3)).Message);
    }
}
