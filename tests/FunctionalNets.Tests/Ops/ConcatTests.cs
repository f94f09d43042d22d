using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Shape_Concat =>
    [
        ShapeFamily.Spec(nameof(Concat), ConcatTests.Cases, ConcatTests.Run,
            (s, xs, dy) => Concat.Vjp([.. xs.Select(x => x.Shape)], s[0], dy), ConcatTests.Run, ConcatTests.OnTape, ConcatTests.OnTape),
    ];
}

public class ConcatTests
{
    /// <summary>An axis and one to three tensors that agree on every other axis, of length 0 to 3 along it.</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Shape(minRank: 1, maxRank: 3, maxDim: 4).SelectMany(shape =>
            Gen.Select(Gen.Int[0, shape.Rank - 1], Gen.Int[0, 3].Array[1, 3]).SelectMany((axis, lengths) =>
                lengths.Aggregate(Gen.Const(Array.Empty<Tensor<double>>()),
                        (drawn, n) => drawn.SelectMany(xs => Gens.Tensor(shape.WithDim(axis, n)).Select(x => (Tensor<double>[])[.. xs, x])))
                    .Select(xs => (new[] { axis }, xs))));

    internal static Tensor<T> Run<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Concat.Forward(xs, s[0]);

    internal static Net<T, Var<T>> OnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Concat.Apply(xs, s[0]);

    [Fact]
    public void Concat_hand_checked_on_both_axes()
    {
        var a = Tensor.Matrix([1.0, 2], [3.0, 4]);
        Assert.Equal(Tensor.Matrix([1.0, 2, 5], [3.0, 4, 6]), Concat.Forward([a, Tensor.Matrix([5.0], [6.0])], 1));
        Assert.Equal(Tensor.Matrix([1.0, 2], [3.0, 4], [7.0, 8]), Concat.Forward([a, Tensor.Matrix([7.0, 8])], 0));
    }

    [Fact]
    public void Concat_vjp_hands_each_input_its_band_of_dy()
    {
        var dxs = Concat.Vjp([Shape.Of(2, 2), Shape.Of(2, 1)], -1, Tensor.Matrix([1.0, 2, 5], [3.0, 4, 6]));
        Assert.Equal(Tensor.Matrix([1.0, 2], [3.0, 4]), dxs[0]);
        Assert.Equal(Tensor.Matrix([5.0], [6.0]), dxs[1]);
    }

    [Fact]
    public void Concat_of_the_pieces_of_a_split_is_the_identity() =>
        SplitTests.Cases.Sample((s, xs) => Concat.Forward(Split.Forward(xs[0], s[2..], s[0]), s[0]).BitEquals(xs[0]));

    [Fact]
    public void Split_of_a_concat_gives_back_its_inputs() =>
        Cases.Sample((s, xs) =>
        {
            var axis = s[0];
            var pieces = Split.Forward(Concat.Forward(xs, axis), [.. xs.Select(x => x.Shape[axis])], axis);
            return pieces.Select((p, k) => p.BitEquals(xs[k])).All(same => same);
        });

    [Fact]
    public void Concat_on_the_tape_pulls_back_its_vjp()
    {
        var (a, b) = (Tensor.Matrix([1.0, 2], [3.0, 4]), Tensor.Matrix([5.0], [6.0]));
        var dy = Tensor.Matrix([0.5, -1, 2], [3.0, -4, 8]);
        var (y, dxs) = ShapeFamily.OnTape(v => Concat.Apply(v, 1), dy, a, b);
        Assert.Equal(Concat.Forward([a, b], 1), y);
        var expected = Concat.Vjp([a.Shape, b.Shape], 1, dy);
        Assert.Equal(expected[0], dxs[0]);
        Assert.Equal(expected[1], dxs[1]);
    }

    [Fact]
    public void Concat_shape_mismatch_names_op_and_every_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Concat.Forward([Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([3, 3])], 1));
        Assert.Contains("Concat", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3, 3]", ex.Message);
    }

    [Fact]
    public void Concat_rank_mismatch_names_op_and_every_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Concat.Forward([Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([2, 3, 1])], 0));
        Assert.Contains("Concat", ex.Message);
        Assert.Contains("[2, 3, 1]", ex.Message);
    }

    [Fact]
    public void Concat_bad_axis_names_op_axis_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Concat.Forward([Tensor.Zeros<double>([2, 3])], 2));
        Assert.Contains("Concat", ex.Message);
        Assert.Contains("axis 2", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Concat_of_nothing_names_op()
    {
        var ex = Assert.Throws<ArgumentException>(() => Concat.Forward(Array.Empty<Tensor<double>>(), 0));
        Assert.Contains("Concat", ex.Message);
    }
}
