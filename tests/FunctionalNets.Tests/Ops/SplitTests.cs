using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Shape_Split =>
    [
        // One piece as the output: the other pieces' cotangents are null (zeros).
        ShapeFamily.Spec(nameof(Split) + "(one piece)", SplitTests.Cases, SplitTests.Piece,
            (s, xs, dy) => [Split.Vjp(xs[0].Shape, s[2..], s[0], [.. s[2..].Select((_, k) => k == s[1] ? dy : null)])], SplitTests.Piece,
            SplitTests.PieceOnTape, SplitTests.PieceOnTape),
        // Every piece, joined back in reverse order, so every cotangent is non-null.
        ShapeFamily.Spec(nameof(Split) + "(all pieces, reversed)", SplitTests.Cases, SplitTests.Reversed,
            (s, xs, dy) =>
            {
                var sizes = s[2..];
                var shapes = sizes.Reverse().Select(n => xs[0].Shape.WithDim(s[0], n)).ToArray();
                return [Split.Vjp(xs[0].Shape, sizes, s[0], [.. Concat.Vjp(shapes, s[0], dy).Reverse()])];
            }, SplitTests.Reversed, SplitTests.ReversedOnTape, SplitTests.ReversedOnTape),
        // Chunks of a given size: settings [axis, chunk, piece].
        ShapeFamily.Spec(nameof(Split) + "(chunks)", SplitChunkTests.Cases, SplitChunkTests.Piece,
            (s, xs, dy) =>
            {
                var sizes = Split.ChunkSizes(xs[0].Shape, s[1], s[0]);
                return [Split.Vjp(xs[0].Shape, sizes, s[0], [.. sizes.Select((_, k) => k == s[2] % sizes.Length ? dy : null)])];
            }, SplitChunkTests.Piece, SplitChunkTests.PieceOnTape, SplitChunkTests.PieceOnTape),
    ];
}

public class SplitTests
{
    /// <summary>Settings <c>[axis, piece, sizes…]</c>: one to four sizes (some 0) adding up to the axis length, and a piece index.</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Shape(minRank: 1, maxRank: 3, maxDim: 4).SelectMany(shape =>
            Gen.Select(Gen.Int[0, shape.Rank - 1], Gen.Int[0, 3].Array[1, 4]).SelectMany((axis, sizes) =>
                Gen.Select(Gens.Tensor(shape.WithDim(axis, sizes.Sum())), Gen.Int[0, sizes.Length - 1])
                    .Select((x, piece) => ((int[])[axis, piece, .. sizes], new[] { x }))));

    internal static Tensor<T> Piece<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Split.Forward(xs[0], s[2..], s[0])[s[1]];

    internal static Tensor<T> Reversed<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Concat.Forward([.. Split.Forward(xs[0], s[2..], s[0]).Reverse()], s[0]);

    internal static Net<T, Var<T>> PieceOnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Split.Apply(xs[0], s[2..], s[0]).Select(pieces => pieces[s[1]]);

    internal static Net<T, Var<T>> ReversedOnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Split.Apply(xs[0], s[2..], s[0]).Bind(pieces => Concat.Apply([.. pieces.Reverse()], s[0]));

    [Fact]
    public void Split_hand_checked_vector_and_matrix()
    {
        var pieces = Split.Forward(Tensor.Arange<double>(6), [1, 2, 3], 0);
        Assert.Equal(Tensor.Vector(0.0), pieces[0]);
        Assert.Equal(Tensor.Vector(1.0, 2), pieces[1]);
        Assert.Equal(Tensor.Vector(3.0, 4, 5), pieces[2]);
        var columns = Split.Forward(Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]), [2, 1], -1);
        Assert.Equal(Tensor.Matrix([1.0, 2], [4.0, 5]), columns[0]);
        Assert.Equal(Tensor.Matrix([3.0], [6.0]), columns[1]);
    }

    [Fact]
    public void Split_vjp_puts_each_cotangent_in_place_and_zeros_for_the_missing()
    {
        var dx = Split.Vjp(Shape.Of(2, 3), [1, 2], 1, [null, Tensor.Matrix([7.0, 8], [9.0, 10])]);
        Assert.Equal(Tensor.Matrix([0.0, 7, 8], [0.0, 9, 10]), dx);
    }

    [Fact]
    public void Split_on_the_tape_adds_the_pieces_cotangents()
    {
        // Split [x0 x1 x2 | x3 x4] and join it back as [x3 x4 | x0 x1 x2]: each input gets its own entry of dy back.
        var x = Tensor.Vector(1.0, 2, 3, 4, 5);
        var dy = Tensor.Vector(10.0, 20, 30, 40, 50);
        var (y, dxs) = ShapeFamily.OnTape(v =>
            from pieces in Split.Apply(v[0], [3, 2], 0)
            from joined in Concat.Apply([pieces[1], pieces[0]], 0)
            select joined, dy, x);
        Assert.Equal(Tensor.Vector(4.0, 5, 1, 2, 3), y);
        Assert.Equal(Tensor.Vector(30.0, 40, 50, 10, 20), dxs[0]);
    }

    [Fact]
    public void Split_on_the_tape_gives_zeros_for_an_unused_piece()
    {
        var x = Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]);
        var dy = Tensor.Matrix([7.0], [8.0]);
        var (_, dxs) = ShapeFamily.OnTape(v => Split.Apply(v[0], [2, 1], 1).Select(p => p[1]), dy, x);
        Assert.Equal(Tensor.Matrix([0.0, 0, 7], [0.0, 0, 8]), dxs[0]);
    }

    [Fact]
    public void Split_sizes_that_do_not_add_up_name_op_sizes_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Split.Forward(Tensor.Zeros<double>([2, 5]), [2, 2], 1));
        Assert.Contains("Split", ex.Message);
        Assert.Contains("[2, 2]", ex.Message);
        Assert.Contains("[2, 5]", ex.Message);
    }

    [Fact]
    public void Split_bad_axis_names_op_axis_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Split.Forward(Tensor.Zeros<double>([2, 5]), [5], -3));
        Assert.Contains("Split", ex.Message);
        Assert.Contains("axis -3", ex.Message);
        Assert.Contains("[2, 5]", ex.Message);
    }

    [Fact]
    public void Split_vjp_with_a_misshapen_cotangent_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Split.Vjp(Shape.Of(2, 3), [1, 2], 1, [null, Tensor.Zeros<double>([2, 1])]));
        Assert.Contains("Split", ex.Message);
        Assert.Contains("[2, 1]", ex.Message);
        Assert.Contains("[2, 2]", ex.Message);
    }
}

public class SplitChunkTests
{
    /// <summary>Settings <c>[axis, chunk, piece]</c>: a chunk size from 1 to 5 and a piece index (taken modulo the number of pieces).</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Tensor(minRank: 1, maxRank: 3, maxDim: 6).SelectMany(x =>
            Gen.Select(Gen.Int[0, x.Rank - 1], Gen.Int[1, 5], Gen.Int[0, 5]).Select((axis, chunk, piece) => (new[] { axis, chunk, piece }, new[] { x })));

    internal static Tensor<T> Piece<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pieces = Split.Forward(xs[0], s[1], s[0]);
        return pieces[s[2] % pieces.Length];
    }

    internal static Net<T, Var<T>> PieceOnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Split.Apply(xs[0], s[1], s[0]).Select(pieces => pieces[s[2] % pieces.Length]);

    [Fact]
    public void Split_by_chunk_size_cuts_full_chunks_and_a_shorter_last()
    {
        Assert.Equal([3, 3, 1], Split.ChunkSizes(Shape.Of(7), 3, 0));
        Assert.Equal([2, 2], Split.ChunkSizes(Shape.Of(5, 4), 2, -1));
        Assert.Equal([0], Split.ChunkSizes(Shape.Of(0), 4, 0));
        var pieces = Split.Forward(Tensor.Arange<double>(7), 3, 0);
        Assert.Equal(Tensor.Vector(0.0, 1, 2), pieces[0]);
        Assert.Equal(Tensor.Vector(3.0, 4, 5), pieces[1]);
        Assert.Equal(Tensor.Vector(6.0), pieces[2]);
    }

    [Fact]
    public void Split_by_chunk_size_on_the_tape_returns_each_entry_its_cotangent()
    {
        var x = Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]);
        var dy = Tensor.Matrix([10.0, 20], [30.0, 40]);
        var (y, dxs) = ShapeFamily.OnTape(v => Split.Apply(v[0], 2, 1).Select(p => p[0]), dy, x);
        Assert.Equal(Tensor.Matrix([1.0, 2], [4.0, 5]), y);
        Assert.Equal(Tensor.Matrix([10.0, 20, 0], [30.0, 40, 0]), dxs[0]);
    }

    [Fact]
    public void Split_by_a_chunk_size_below_one_names_op_size_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Split.Forward(Tensor.Zeros<double>([2, 5]), 0, 1));
        Assert.Contains("Split", ex.Message);
        Assert.Contains("chunk size 0", ex.Message);
        Assert.Contains("[2, 5]", ex.Message);
    }
}
