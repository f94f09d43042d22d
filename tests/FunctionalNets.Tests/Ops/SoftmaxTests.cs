using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Activations_Softmax =>
    [
        ShapeFamily.Spec(nameof(Softmax), SoftmaxTests.Cases, SoftmaxTests.Run, (s, xs, dy) => [Softmax.Vjp(Softmax.Forward(xs[0], s[0]), dy, s[0])], SoftmaxTests.Run,
            SoftmaxTests.OnTape, SoftmaxTests.OnTape),
    ];
}

public class SoftmaxTests
{
    /// <summary>A tensor of rank 1 to 3 with logits in [−5, 5], and an axis (as settings <c>[axis]</c>), negative half the time.</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Tensor(minRank: 1, maxRank: 3, maxDim: 5, lo: -5, hi: 5).SelectMany(x =>
            Gen.Select(Gen.Int[0, x.Rank - 1], Gen.Bool).Select((axis, fromEnd) => (new[] { fromEnd ? axis - x.Rank : axis }, new[] { x })));

    internal static Tensor<T> Run<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Softmax.Forward(xs[0], s[0]);

    internal static Net<T, Var<T>> OnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Softmax.Apply(xs[0], s[0]);

    /// <summary>Logits in [−50, 50] along the last axis of a [rows, cols] matrix.</summary>
    internal static Gen<Tensor<double>> Matrices =>
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 33]).SelectMany((r, c) => Gens.Tensor(Shape.Of(r, c), -50, 50));

    /// <summary>The sums of each line of <paramref name="y"/> along its last axis.</summary>
    internal static double[] RowSums(Tensor<double> y)
    {
        var cols = y.Shape[-1];
        return [.. Enumerable.Range(0, y.Size / cols).Select(r => y.Span.Slice(r * cols, cols).ToArray().Sum())];
    }

    [Fact]
    public void Softmax_hand_checked_row()
    {
        // exp(0), exp(ln 2), exp(ln 5) are 1, 2, 5 out of 8.
        var y = Softmax.Forward(Tensor.Vector(0.0, Math.Log(2), Math.Log(5)));
        Assert.True(y.AllClose(Tensor.Vector(0.125, 0.25, 0.625), 1e-15, 0));
    }

    [Fact]
    public void Softmax_hand_checked_along_the_first_axis()
    {
        // Columns: (0, ln 3) → (1/4, 3/4) and (0, 0) → (1/2, 1/2).
        var y = Softmax.Forward(Tensor.Matrix([0.0, 0], [Math.Log(3), 0]), 0);
        Assert.True(y.AllClose(Tensor.Matrix([0.25, 0.5], [0.75, 0.5]), 1e-15, 0));
    }

    [Fact]
    public void Softmax_vjp_hand_checked()
    {
        // y = (1/4, 3/4), dy = (1, 0): Σ dy⊙y = 1/4, dx = y⊙(dy − 1/4) = (3/16, −3/16).
        var dx = Softmax.Vjp(Tensor.Vector(0.25, 0.75), Tensor.Vector(1.0, 0));
        Assert.Equal(Tensor.Vector(3.0 / 16, -3.0 / 16), dx);
    }

    [Fact]
    public void Softmax_rows_sum_to_one() =>
        Matrices.Sample(x => RowSums(Softmax.Forward(x)).All(s => Math.Abs(s - 1) <= 1e-14));

    [Fact]
    public void Softmax_lines_along_any_axis_sum_to_one() =>
        Cases.Sample((s, xs) =>
        {
            var moved = Transpose.Forward(Softmax.Forward(xs[0], s[0]), Transpose.MoveToEnd(xs[0].Rank, xs[0].Shape.Axis(s[0], "test")));
            return RowSums(moved).All(sum => Math.Abs(sum - 1) <= 1e-14);
        });

    [Fact]
    public void Softmax_is_invariant_to_adding_a_constant_per_row() =>
        Matrices.SelectMany(x => Gen.Double[-30, 30].Array[x.Shape[0]].Select(c => (x, c))).Sample((x, c) =>
        {
            var cols = x.Shape[1];
            var shifted = Tensor.Build<double>(x.Shape, y =>
            {
                for (var i = 0; i < y.Length; i++) y[i] = x.Span[i] + c[i / cols];
            });
            return Softmax.Forward(shifted).AllClose(Softmax.Forward(x), 1e-12, 1e-300);
        });

    [Fact]
    public void Softmax_vjp_sums_to_zero_per_row() =>
        Matrices.Select(x => (x, Draw.Like(x, 11))).Sample((x, dy) =>
            RowSums(Softmax.Vjp(Softmax.Forward(x), dy)).All(s => Math.Abs(s) <= 1e-15));

    [Fact]
    public void Softmax_masked_entries_get_zero_and_the_rest_renormalise()
    {
        var y = Softmax.Forward(Tensor.Vector(0.0, double.NegativeInfinity, Math.Log(3)));
        Assert.True(y.AllClose(Tensor.Vector(0.25, 0, 0.75), 1e-15, 0));
        var dx = Softmax.Vjp(y, Tensor.Vector(1.0, 5, 0));
        Assert.True(dx.AllClose(Tensor.Vector(3.0 / 16, 0, -3.0 / 16), 1e-15, 1e-17));
    }

    [Fact]
    public void Softmax_masked_row_gives_zeros_and_zero_gradient()
    {
        var x = Tensor.Matrix([double.NegativeInfinity, double.NegativeInfinity], [1.0, 2]);
        var y = Softmax.Forward(x);
        Assert.Equal(Tensor.Vector(0.0, 0), Tensor.Vector(y.Span[0], y.Span[1]));
        var dx = Softmax.Vjp(y, Tensor.Matrix([1.0, 2], [3.0, 4]));
        Assert.Equal(Tensor.Vector(0.0, 0), Tensor.Vector(dx.Span[0], dx.Span[1]));
    }

    [Fact]
    public void Softmax_with_masked_entries_has_finite_values_and_gradients() =>
        Matrices.SelectMany(x => Gen.Bool.Array[x.Size].Select(mask => (x, mask))).Sample((x, mask) =>
        {
            var masked = Tensor.Build<double>(x.Shape, y =>
            {
                for (var i = 0; i < y.Length; i++) y[i] = mask[i] ? double.NegativeInfinity : x.Span[i];
            });
            var y = Softmax.Forward(masked);
            var dx = Softmax.Vjp(y, Draw.Like(x, 5));
            var dlog = LogSoftmax.Vjp(LogSoftmax.Forward(masked), Draw.Like(x, 6));
            return y.Data.All(double.IsFinite) && dx.Data.All(double.IsFinite) && dlog.Data.All(double.IsFinite)
                && Enumerable.Range(0, x.Size).All(i => !mask[i] || y.Span[i] == 0);
        });

    [Fact]
    public void Softmax_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Matrix([1.0, -2, 0.5], [3.0, 0, -1]);
        var dy = Tensor.Matrix([1.0, 2, 3], [-1.0, 0, 4]);
        var (y, dxs) = ShapeFamily.OnTape(v => Softmax.Apply(v[0], 0), dy, x);
        Assert.Equal(Softmax.Forward(x, 0), y);
        Assert.Equal(Softmax.Vjp(y, dy, 0), dxs[0]);
        var (yLast, dxsLast) = ShapeFamily.OnTape(v => Softmax.Apply(v[0]), dy, x);
        Assert.Equal(Softmax.Vjp(yLast, dy), dxsLast[0]);
    }

    [Fact]
    public void Softmax_bad_axis_names_op_axis_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Forward(Tensor.Zeros<double>([2, 3]), 2));
        Assert.Contains("Softmax", ex.Message);
        Assert.Contains("axis 2", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Softmax_vjp_shape_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Vjp(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([3, 2])));
        Assert.Contains("Softmax", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
    }
}
