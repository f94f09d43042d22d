using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Masking_Mask =>
    [
        new(nameof(Mask) + "." + nameof(Mask.Fill), MaskTests.ValuesAndMask,
            xs => Mask.Fill.Forward(xs[0], xs[1].Convert<double, int>(), MaskTests.FillValue),
            (xs, dy) => [Mask.Fill.Vjp(xs[1].Convert<double, int>(), dy), null],
            xs => Mask.Fill.Forward(xs[0], xs[1].Convert<float, int>(), (float)MaskTests.FillValue),
            Apply: xs => Mask.Fill.Apply(xs[0], xs[1].Value.Convert<double, int>(), MaskTests.FillValue),
            ApplyFloat: xs => Mask.Fill.Apply(xs[0], xs[1].Value.Convert<float, int>(), (float)MaskTests.FillValue)),
        // Causal masking writes −∞, where finite differences are undefined, so the law check runs it with the
        // softmax that always follows it in attention (masked entries come out as exact zeros).
        OpSpec.Unary(nameof(Mask) + "." + nameof(Mask.Causal) + "→softmax", MaskTests.Scores,
            MaskTests.MaskedSoftmax, (x, dy) => MaskTests.MaskedSoftmaxVjp(MaskTests.MaskedSoftmax(x), dy), MaskTests.MaskedSoftmax,
            MaskTests.MaskedSoftmaxOnTape, MaskTests.MaskedSoftmaxOnTape),
    ];
}

public class MaskTests
{
    internal const double FillValue = -5.0;

    /// <summary>[x, mask] where the mask (0/1 as doubles, no gradient) has the shape of x's trailing 0…rank axes.</summary>
    internal static Gen<Tensor<double>[]> ValuesAndMask =>
        Gens.Shape(minRank: 1, maxRank: 3).SelectMany(s => Gen.Int[0, s.Rank].SelectMany(r =>
        {
            var maskShape = Shape.Of(s.Dims.AsSpan((s.Rank - r)..));
            return Gen.Select(Gens.Tensor(s), Gen.Int[0, 1].Array[maskShape.Size])
                .Select((x, m) => new[] { x, Tensor.From<double>(maskShape, [.. m.Select(b => (double)b)]) });
        }));

    /// <summary>Scores [..., T, T] with T in 1…6 and up to two leading axes.</summary>
    internal static Gen<Tensor<double>> Scores =>
        Gen.Select(Gens.Shape(minRank: 0, maxRank: 2, maxDim: 3), Gen.Int[1, 6]).SelectMany((lead, t) => Gens.Tensor(Shape.Of([.. lead, t, t])));

    internal static Tensor<T> MaskedSoftmax<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var masked = Mask.Causal.Forward(x);
        return Tensor.Build<T>(x.Shape, y => Rows.Softmax(masked.Span, y, x.Size / x.Dim(-1), x.Dim(-1)));
    }

    internal static Net<T, Var<T>> MaskedSoftmaxOnTape<T>(Var<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from masked in Mask.Causal.Apply(x)
        from y in Softmax.Apply(masked)
        select y;

    internal static Tensor<double> MaskedSoftmaxVjp(Tensor<double> y, Tensor<double> dy) =>
        Mask.Causal.Vjp(Tensor.Build<double>(y.Shape, ds => Rows.SoftmaxVjp(y.Span, dy.Span, ds, y.Size / y.Dim(-1), y.Dim(-1))));

    private const double Inf = double.PositiveInfinity;

    [Fact]
    public void Causal_sets_entries_above_the_diagonal_to_minus_infinity_in_every_block()
    {
        var y = Mask.Causal.Forward(Tensor.Arange<double>(18).Reshape([2, 3, 3]));
        Assert.Equal(Tensor.From<double>([2, 3, 3], [0, -Inf, -Inf, 3, 4, -Inf, 6, 7, 8, 9, -Inf, -Inf, 12, 13, -Inf, 15, 16, 17]), y);
        Assert.Equal(Tensor.Vector(2.0).Reshape([1, 1]), Mask.Causal.Forward(Tensor.Vector(2.0).Reshape([1, 1])));
    }

    [Fact]
    public void Causal_vjp_passes_the_lower_triangle_and_zeroes_the_rest()
    {
        var dx = Mask.Causal.Vjp(Tensor.Ones<double>([3, 3]));
        Assert.Equal(Tensor.Matrix([1.0, 0, 0], [1.0, 1, 0], [1.0, 1, 1]), dx);
    }

    [Fact]
    public void Causal_mask_is_idempotent() =>
        Scores.Sample(x => Mask.Causal.Forward(Mask.Causal.Forward(x)) == Mask.Causal.Forward(x), iter: OpLaws.Iterations);

    [Fact]
    public void Causal_softmax_rows_put_no_weight_on_later_positions() =>
        Scores.Sample(x =>
        {
            var p = MaskedSoftmax(x);
            var t = x.Dim(-1);
            for (var b = 0; b < x.Size / (t * t); b++)
                for (var i = 0; i < t; i++)
                    for (var j = i + 1; j < t; j++)
                        if (p.Span[b * t * t + i * t + j] != 0) return false;
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Fill_replaces_masked_entries_and_repeats_the_mask_over_leading_axes()
    {
        var x = Tensor.Matrix([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]);
        var mask = Tensor.Vector(0, 1, 0);
        Assert.Equal(Tensor.Matrix([1.0, -Inf, 3.0], [4.0, -Inf, 6.0]), Mask.Fill.Forward(x, mask, double.NegativeInfinity));
        Assert.Equal(Tensor.Matrix([7.0, 0.0, 9.0], [1.0, 0.0, 2.0]), Mask.Fill.Vjp(mask, Tensor.Matrix([7.0, 8.0, 9.0], [1.0, 3.0, 2.0])));
        var full = Tensor.From<int>([2, 3], [1, 0, 0, 0, 0, 1]);
        Assert.Equal(Tensor.Matrix([0.5, 2.0, 3.0], [4.0, 5.0, 0.5]), Mask.Fill.Forward(x, full, 0.5));
    }

    [Fact]
    public void Fill_with_an_empty_mask_is_the_identity() =>
        ValuesAndMask.Sample(xs =>
        {
            var zeros = Tensor.Zeros<int>(xs[1].Shape);
            return Mask.Fill.Forward(xs[0], zeros, FillValue).BitEquals(xs[0]);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Mask_apply_records_its_vjp()
    {
        var x = Tensor.Matrix([1.0, -2.0, 0.5], [3.0, 0.0, 1.0], [0.25, 2.0, -1.0]);
        TapeCheck.MatchesVjp([x], vs => Mask.Causal.Apply(vs[0]), (_, dy) => [Mask.Causal.Vjp(dy)]);
        var mask = Tensor.Vector(1, 0, 1);
        TapeCheck.MatchesVjp([x], vs => Mask.Fill.Apply(vs[0], mask, -1e9), (_, dy) => [Mask.Fill.Vjp(mask, dy)]);
    }

    [Fact]
    public void Mask_shape_errors_name_op_and_shapes()
    {
        var square = Assert.Throws<ArgumentException>(() => Mask.Causal.Forward(Tensor.Zeros<double>([2, 3])));
        Assert.Equal("Mask.Causal: expected square scores [..., T, T], got [2, 3]", square.Message);
        var vector = Assert.Throws<ArgumentException>(() => Mask.Causal.Vjp(Tensor.Zeros<double>([4])));
        Assert.Equal("Mask.Causal: expected square scores [..., T, T], got [4]", vector.Message);
        var fill = Assert.Throws<ArgumentException>(() => Mask.Fill.Forward(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<int>([2]), 0.0));
        Assert.Equal("Mask.Fill: mask [2] must equal the trailing axes of [2, 3]", fill.Message);
    }
}
