using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    // The ids are settings, not an input: they get no cotangent and the finite differences never move them.
    private static OpSpec[] Shape_Gather =>
    [
        ShapeFamily.Spec(nameof(Gather), GatherTests.Cases, GatherTests.Run, (s, xs, dy) => [Gather.Vjp(xs[0].Shape, GatherTests.Ids(s), dy)], GatherTests.Run,
            GatherTests.OnTape, GatherTests.OnTape),
    ];
}

public class GatherTests
{
    /// <summary>A table [V, …] and settings <c>[ids rank, ids dims…, ids…]</c>, ids in <c>[0, V)</c> (repeats included).</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gen.Select(Gen.Int[1, 5], Gens.Shape(minRank: 0, maxRank: 2, maxDim: 3), Gens.Shape(minRank: 1, maxRank: 2, minDim: 0, maxDim: 4))
            .SelectMany((vocab, row, ids) => Gen.Select(
                Gens.Tensor(Shape.Of([vocab, .. row])),
                Gen.Int[0, vocab - 1].Array[ids.Size])
            .Select((x, values) => ((int[])[ids.Rank, .. ids, .. values], new[] { x })));

    /// <summary>The ids tensor encoded in the settings.</summary>
    internal static Tensor<int> Ids(int[] s) => Tensor.From<int>(Shape.Of(s.AsSpan(1, s[0])), s.AsSpan(1 + s[0]));

    internal static Tensor<T> Run<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Gather.Forward(xs[0], Ids(s));

    internal static Net<T, Var<T>> OnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Gather.Apply(xs[0], Ids(s));

    private static readonly Tensor<double> Table = Tensor.Matrix([1.0, 2], [3.0, 4], [5.0, 6]);

    [Fact]
    public void Gather_hand_checked_rows_and_scatter_added_vjp()
    {
        var ids = Tensor.Vector(2, 0, 2);
        Assert.Equal(Tensor.Matrix([5.0, 6], [1.0, 2], [5.0, 6]), Gather.Forward(Table, ids));
        // Row 2 is picked twice, so its cotangent is the sum 1 + 10; row 1 is never picked.
        var dx = Gather.Vjp(Table.Shape, ids, Tensor.Matrix([1.0, 1], [2.0, 2], [10.0, 10]));
        Assert.Equal(Tensor.Matrix([2.0, 2], [0.0, 0], [11.0, 11]), dx);
    }

    [Fact]
    public void Gather_output_shape_is_ids_shape_then_row_shape()
    {
        var y = Gather.Forward(Table, Tensor.From<int>([2, 2], [0, 1, 2, 1]));
        Assert.Equal(Shape.Of(2, 2, 2), y.Shape);
        Assert.Equal(4.0, y[1, 1, 1]);
        Assert.Equal(Tensor.Vector(5.0, 6), Gather.Forward(Tensor.Arange<double>(6, 1, 1), Tensor.Vector(4, 5)));
    }

    [Fact]
    public void Gather_vjp_sums_repeated_ids_in_index_order()
    {
        // Rounding makes this sum depend on its order; the scatter-add must take the ids' order, left to right.
        var (a, b, c) = (1.0, 1e16, -1e16);
        var leftToRight = 0.0 + a + b + c;
        Assert.NotEqual(0.0 + c + b + a, leftToRight);
        var dx = Gather.Vjp(Shape.Of(1, 1), Tensor.Vector(0, 0, 0), Tensor.Vector(a, b, c).Reshape([3, 1]));
        Assert.Equal(leftToRight, dx.Span[0]);
    }

    [Fact]
    public void Gather_vjp_adds_up_to_the_total_cotangent_per_column() =>
        Cases.Sample((s, xs) =>
        {
            var dy = Draw.Like(Run(s, xs), 3);
            var dx = Gather.Vjp(xs[0].Shape, Ids(s), dy);
            var row = xs[0].Shape.SizeOf(1, xs[0].Rank);
            for (var c = 0; c < row; c++)
            {
                double picked = 0, scattered = 0;
                for (var p = c; p < dy.Size; p += row) picked += dy.Span[p];
                for (var r = c; r < dx.Size; r += row) scattered += dx.Span[r];
                if (Math.Abs(picked - scattered) > 1e-12) return false;
            }
            return true;
        });

    [Fact]
    public void Gather_on_the_tape_pulls_back_its_vjp()
    {
        var ids = Tensor.From<int>([2, 2], [1, 1, 0, 2]);
        var dy = Tensor.Arange<double>(8, 1, 1).Reshape([2, 2, 2]);
        var (y, dxs) = ShapeFamily.OnTape(v => Gather.Apply(v[0], ids), dy, Table);
        Assert.Equal(Gather.Forward(Table, ids), y);
        Assert.Equal(Gather.Vjp(Table.Shape, ids, dy), dxs[0]);
    }

    [Fact]
    public void Gather_out_of_range_id_names_op_id_position_and_range()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gather.Forward(Table, Tensor.From<int>([2, 2], [0, 1, 7, 2])));
        Assert.Contains("Gather", ex.Message);
        Assert.Contains("id 7", ex.Message);
        Assert.Contains("position [1, 0]", ex.Message);
        Assert.Contains("out of range for V = 3", ex.Message);
    }

    [Fact]
    public void Gather_negative_id_names_op_id_and_range()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gather.Vjp(Table.Shape, Tensor.Vector(-1), Tensor.Zeros<double>([1, 2])));
        Assert.Contains("Gather", ex.Message);
        Assert.Contains("id -1", ex.Message);
        Assert.Contains("position [0]", ex.Message);
        Assert.Contains("out of range for V = 3", ex.Message);
    }

    [Fact]
    public void Gather_from_a_scalar_names_op_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gather.Forward(Tensor.Scalar(1.0), Tensor.Vector(0)));
        Assert.Contains("Gather", ex.Message);
        Assert.Contains("[]", ex.Message);
    }
}
