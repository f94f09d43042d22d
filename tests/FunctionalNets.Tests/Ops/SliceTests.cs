using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Shape_Slice =>
    [
        ShapeFamily.Spec(nameof(Slice), SliceTests.Cases, SliceTests.Run, (s, xs, dy) => [Slice.Vjp(xs[0].Shape, s[0], s[1], s[2], dy)], SliceTests.Run,
            SliceTests.OnTape, SliceTests.OnTape),
    ];
}

public class SliceTests
{
    /// <summary>Settings <c>[axis, start, end]</c> with <c>0 ≤ start ≤ end ≤</c> the axis length.</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Tensor(minRank: 1, maxRank: 3, maxDim: 5).SelectMany(x =>
            Gen.Int[0, x.Rank - 1].SelectMany(axis =>
                Gen.Select(Gen.Int[0, x.Shape[axis]], Gen.Int[0, x.Shape[axis]])
                    .Select((i, j) => ((int[])[axis, Math.Min(i, j), Math.Max(i, j)], new[] { x }))));

    internal static Tensor<T> Run<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Slice.Forward(xs[0], s[0], s[1], s[2]);

    internal static Net<T, Var<T>> OnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Slice.Apply(xs[0], s[0], s[1], s[2]);

    [Fact]
    public void Slice_hand_checked_columns_and_zero_padded_vjp()
    {
        var x = Tensor.Matrix([0.0, 1, 2, 3], [4.0, 5, 6, 7]);
        Assert.Equal(Tensor.Matrix([1.0, 2], [5.0, 6]), Slice.Forward(x, 1, 1, 3));
        Assert.Equal(Tensor.Matrix([4.0, 5, 6, 7]), Slice.Forward(x, 0, 1, 2));
        var dx = Slice.Vjp(x.Shape, 1, 1, 3, Tensor.Matrix([1.0, 2], [3.0, 4]));
        Assert.Equal(Tensor.Matrix([0.0, 1, 2, 0], [0.0, 3, 4, 0]), dx);
    }

    [Fact]
    public void Slice_equals_the_matching_piece_of_a_split() =>
        Cases.Sample((s, xs) =>
        {
            var (axis, start, end) = (s[0], s[1], s[2]);
            var pieces = Split.Forward(xs[0], [start, end - start, xs[0].Shape[axis] - end], axis);
            return Slice.Forward(xs[0], axis, start, end).BitEquals(pieces[1]);
        });

    [Fact]
    public void Slice_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Arange<double>(12).Reshape([3, 4]);
        var dy = Tensor.Matrix([1.0, 2, 3, 4], [5.0, 6, 7, 8]);
        var (y, dxs) = ShapeFamily.OnTape(v => Slice.Apply(v[0], 0, 1, 3), dy, x);
        Assert.Equal(Slice.Forward(x, 0, 1, 3), y);
        Assert.Equal(Slice.Vjp(x.Shape, 0, 1, 3, dy), dxs[0]);
    }

    [Fact]
    public void Slice_range_out_of_bounds_names_op_range_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Slice.Forward(Tensor.Zeros<double>([2, 4]), 1, 2, 5));
        Assert.Contains("Slice", ex.Message);
        Assert.Contains("[2, 5)", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
    }

    [Fact]
    public void Slice_bad_axis_names_op_axis_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Slice.Forward(Tensor.Zeros<double>([2, 4]), 2, 0, 1));
        Assert.Contains("Slice", ex.Message);
        Assert.Contains("axis 2", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
    }
}
