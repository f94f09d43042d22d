using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Shape_Transpose =>
    [
        ShapeFamily.Spec(nameof(Transpose), TransposeTests.Cases, TransposeTests.Run, (perm, _, dy) => [Transpose.Vjp(dy, perm)], TransposeTests.Run,
            TransposeTests.OnTape, TransposeTests.OnTape),
        OpSpec.Unary(nameof(Transpose) + "(last two)", Gens.Tensor(minRank: 2, maxRank: 4, maxDim: 6), Transpose.Forward, (_, dy) => Transpose.Vjp(dy), Transpose.Forward,
            Transpose.Apply, Transpose.Apply),
    ];
}

public class TransposeTests
{
    /// <summary>A tensor of rank 1 to 5 (sizes 1 to 4, so size-1 axes occur) and a permutation of its axes.</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Tensor(minRank: 1, maxRank: 5, maxDim: 4).SelectMany(x => ShapeFamily.Permutation(x.Rank).Select(perm => (perm, new[] { x })));

    internal static Tensor<T> Run<T>(int[] perm, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Transpose.Forward(xs[0], perm);

    internal static Net<T, Var<T>> OnTape<T>(int[] perm, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => Transpose.Apply(xs[0], perm);

    /// <summary>The definition, one element at a time: <c>y[j] = x[i]</c> where <c>i[perm[k]] = j[k]</c>.</summary>
    private static Tensor<double> Reference(Tensor<double> x, int[] perm)
    {
        var shape = Shape.Of([.. perm.Select(a => x.Shape[a])]);
        return Tensor.Build<double>(shape, y =>
        {
            var (j, i) = (new int[x.Rank], new int[x.Rank]);
            for (var flat = 0; flat < y.Length; flat++)
            {
                for (int k = x.Rank - 1, rest = flat; k >= 0; k--)
                    (j[k], rest) = (rest % shape[k], rest / shape[k]);
                for (var k = 0; k < x.Rank; k++) i[perm[k]] = j[k];
                y[flat] = x[i];
            }
        });
    }

    [Fact]
    public void Transpose_hand_checked_matrix()
    {
        var y = Transpose.Forward(Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]));
        Assert.Equal(Tensor.Matrix([1.0, 4], [2.0, 5], [3.0, 6]), y);
    }

    [Fact]
    public void Transpose_hand_checked_rank_3_permutation()
    {
        // perm [2, 0, 1]: y[a, b, c] = x[b, c, a]; x = arange(24) as [2, 3, 4], so x[b, c, a] = 12b + 4c + a.
        var y = Transpose.Forward(Tensor.Arange<double>(24).Reshape([2, 3, 4]), 2, 0, 1);
        Assert.Equal(Shape.Of(4, 2, 3), y.Shape);
        Assert.Equal(12 * 1 + 4 * 2 + 3, y[3, 1, 2]);
        Assert.Equal(12 * 0 + 4 * 1 + 2, y[2, 0, 1]);
    }

    [Fact]
    public void Transpose_head_split_moves_heads_before_tokens()
    {
        // [B, T, H, D] = [1, 2, 2, 3] → [B, H, T, D]: head h of token t is the run x[0, t, h, :].
        var x = Tensor.Arange<double>(12).Reshape([1, 2, 2, 3]);
        var y = Transpose.Forward(x, 0, 2, 1, 3);
        Assert.Equal(Tensor.From<double>([1, 2, 2, 3], [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11]), y);
    }

    [Fact]
    public void Transpose_matches_the_elementwise_definition() =>
        Cases.Sample((perm, xs) => Transpose.Forward(xs[0], perm).BitEquals(Reference(xs[0], perm)));

    [Fact]
    public void Transpose_of_large_matrices_matches_the_definition_across_tiles() =>
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 70], Gen.Int[1, 70])
            .SelectMany((b, n, m) => Gens.Tensor(Shape.Of(b, n, m)))
            .Sample(x => Transpose.Forward(x).BitEquals(Reference(x, [0, 2, 1])), iter: 20);

    [Fact]
    public void Transpose_is_involutive() =>
        Gens.Tensor(minRank: 2, maxRank: 4, maxDim: 6).Sample(x => Transpose.Forward(Transpose.Forward(x)).BitEquals(x));

    [Fact]
    public void Transpose_then_inverse_permutation_is_the_identity() =>
        Cases.Sample((perm, xs) =>
        {
            var inverse = new int[perm.Length];
            for (var k = 0; k < perm.Length; k++) inverse[perm[k]] = k;
            return Transpose.Forward(Transpose.Forward(xs[0], perm), inverse).BitEquals(xs[0]);
        });

    [Fact]
    public void Transpose_of_a_product_is_the_product_of_transposes_reversed() =>
        Gens.MatMulPair().Sample((a, b) =>
            Transpose.Forward(MatMul.Forward(a, b)).AllClose(MatMul.Forward(Transpose.Forward(b), Transpose.Forward(a)), 1e-12, 1e-12));

    [Fact]
    public void Transpose_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Arange<double>(24).Reshape([2, 3, 4]);
        var dy = Tensor.Arange<double>(24, 1, -0.5).Reshape([3, 4, 2]);
        var (y, dxs) = ShapeFamily.OnTape(v => Transpose.Apply(v[0], 1, 2, 0), dy, x);
        Assert.Equal(Transpose.Forward(x, 1, 2, 0), y);
        Assert.Equal(Transpose.Vjp(dy, 1, 2, 0), dxs[0]);
        var (y2, dxs2) = ShapeFamily.OnTape(v => Transpose.Apply(v[0]), Transpose.Forward(x), x);
        Assert.Equal(Transpose.Forward(x), y2);
        Assert.Equal(x, dxs2[0]);
    }

    [Fact]
    public void Transpose_repeated_axis_names_op_permutation_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Transpose.Forward(Tensor.Zeros<double>([2, 3]), 0, 0));
        Assert.Contains("Transpose", ex.Message);
        Assert.Contains("[0, 0]", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Transpose_wrong_length_permutation_names_op_permutation_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Transpose.Forward(Tensor.Zeros<double>([2, 3]), 0, 1, 2));
        Assert.Contains("Transpose", ex.Message);
        Assert.Contains("[0, 1, 2]", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Transpose_axis_out_of_range_names_op_axis_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Transpose.Forward(Tensor.Zeros<double>([2, 3]), 0, 5));
        Assert.Contains("Transpose", ex.Message);
        Assert.Contains("axis 5", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Transpose_of_a_vector_without_permutation_names_op_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Transpose.Forward(Tensor.Zeros<double>([4])));
        Assert.Contains("Transpose", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }
}
