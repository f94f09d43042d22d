using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Linear_MatMulBroadcast =>
    [
        OpSpec.Binary(nameof(MatMul) + "(broadcast, 1-D)", MatMulBroadcastTests.Pairs, MatMul.Forward, MatMul.Vjp, MatMul.Forward, MatMul.Apply, MatMul.Apply),
    ];
}

public class MatMulBroadcastTests
{
    /// <summary>Operand shapes PyTorch's matmul accepts beyond equal batch axes: 1-D operands, and batch axes that broadcast.</summary>
    internal static Gen<(Tensor<double>, Tensor<double>)> Pairs =>
        Gen.Select(Gen.Int[0, 8], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[1, 3], Gen.Int[1, 3]).SelectMany((kind, n, k, m, b1, b2) =>
        {
            var (a, b) = kind switch
            {
                0 => (Shape.Of(k), Shape.Of(k)),
                1 => (Shape.Of(k), Shape.Of(k, m)),
                2 => (Shape.Of(n, k), Shape.Of(k)),
                3 => (Shape.Of(b1, n, k), Shape.Of(k)),
                4 => (Shape.Of(k), Shape.Of(b1, k, m)),
                5 => (Shape.Of(b1, 1, n, k), Shape.Of(b2, k, m)),
                6 => (Shape.Of(n, k), Shape.Of(b1, k, m)),
                7 => (Shape.Of(1, n, k), Shape.Of(b1, k, m)),
                _ => (Shape.Of(b1, b2, n, k), Shape.Of(1, b2, k, m)),
            };
            return Gen.Select(Gens.Tensor(a), Gens.Tensor(b));
        });

    /// <summary>
    /// The definition, element by element: promote 1-D operands, broadcast the batch axes (a dimension 1 reads index
    /// 0), sum over k, then drop the promoted axes.
    /// </summary>
    private static Tensor<double> Reference(Tensor<double> a, Tensor<double> b)
    {
        var pa = a.Rank == 1 ? a.Reshape([1, a.Dim(0)]) : a;
        var pb = b.Rank == 1 ? b.Reshape([b.Dim(0), 1]) : b;
        var rank = Math.Max(pa.Rank, pb.Rank) - 2;
        int Dim(Tensor<double> t, int axis) => axis - (rank - (t.Rank - 2)) is var j && j >= 0 ? t.Shape[j] : 1;
        var batch = Enumerable.Range(0, rank).Select(ax => Math.Max(Dim(pa, ax), Dim(pb, ax))).ToArray();
        var (n, k, m) = (pa.Dim(-2), pa.Dim(-1), pb.Dim(-1));
        var y = new List<double>();
        var index = new int[rank];
        for (var flat = 0; flat < batch.Aggregate(1, (p, d) => p * d); flat++)
        {
            for (int ax = rank - 1, rest = flat; ax >= 0; ax--) (index[ax], rest) = (rest % batch[ax], rest / batch[ax]);
            int Offset(Tensor<double> t)
            {
                var offset = 0;
                for (var ax = 0; ax < rank; ax++)
                {
                    var j = ax - (rank - (t.Rank - 2));
                    if (j >= 0) offset = offset * t.Shape[j] + (t.Shape[j] == 1 ? 0 : index[ax]);
                }
                return offset;
            }
            var (oa, ob) = (Offset(pa) * n * k, Offset(pb) * k * m);
            for (var i = 0; i < n; i++)
                for (var j = 0; j < m; j++)
                    y.Add(Enumerable.Range(0, k).Sum(l => pa.Span[oa + i * k + l] * pb.Span[ob + l * m + j]));
        }
        int[] shape = [.. batch, .. (a.Rank == 1 ? Array.Empty<int>() : [n]), .. (b.Rank == 1 ? Array.Empty<int>() : [m])];
        return Tensor.From<double>(Shape.Of(shape), y.ToArray());
    }

    [Fact]
    public void MatMul_of_two_vectors_is_their_dot_product_and_a_vector_times_a_matrix_a_vector()
    {
        var dot = MatMul.Forward(Tensor.Vector(1.0, 2, 3), Tensor.Vector(4.0, -5, 6));
        Assert.Equal(Tensor.Scalar(4.0 - 10 + 18), dot);
        // [1, 2]·[[1, 2, 3], [4, 5, 6]] = [9, 12, 15]; [[1, 2, 3], [4, 5, 6]]·[1, 0, -1] = [-2, -2].
        var m = Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]);
        Assert.Equal(Tensor.Vector(9.0, 12, 15), MatMul.Forward(Tensor.Vector(1.0, 2), m));
        Assert.Equal(Tensor.Vector(-2.0, -2), MatMul.Forward(m, Tensor.Vector(1.0, 0, -1)));
    }

    [Fact]
    public void MatMul_broadcasts_batch_axes_like_the_definition() =>
        Pairs.Sample((a, b) => MatMul.Forward(a, b).AllClose(Reference(a, b), 1e-12, 1e-12));

    [Fact]
    public void MatMul_broadcast_cotangents_sum_over_the_broadcast_axes()
    {
        // a [2, 1 | 1, 2] against b [3 | 2, 1]: batch [2, 3], y [2, 3, 1, 1]; with dy = 1 everywhere
        // db[j] = Σ_i a[i]ᵀ and da[i] = Σ_j b[j]ᵀ.
        var a = Tensor.From<double>([2, 1, 1, 2], [1, 2, 3, 4]);
        var b = Tensor.From<double>([3, 2, 1], [1, -1, 2, 0, 0.5, 3]);
        var (da, db) = MatMul.Vjp(a, b, Tensor.Ones<double>([2, 3, 1, 1]));
        Assert.Equal(Tensor.From<double>([2, 1, 1, 2], [3.5, 2, 3.5, 2]), da);
        Assert.Equal(Tensor.From<double>([3, 2, 1], [4, 6, 4, 6, 4, 6]), db);
    }

    [Fact]
    public void MatMul_batch_axes_that_do_not_broadcast_name_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => MatMul.Forward(Tensor.Zeros<double>([2, 3, 4]), Tensor.Zeros<double>([3, 4, 5])));
        Assert.Contains("MatMul", ex.Message);
        Assert.Contains("[2, 3, 4]", ex.Message);
        Assert.Contains("[3, 4, 5]", ex.Message);
        var inner = Assert.Throws<ArgumentException>(() => MatMul.Forward(Tensor.Zeros<double>([3]), Tensor.Zeros<double>([4])));
        Assert.Contains("inner dimensions differ", inner.Message);
        Assert.Throws<ArgumentException>(() => MatMul.Forward(Tensor.Scalar(1.0), Tensor.Zeros<double>([4])));
    }
}
