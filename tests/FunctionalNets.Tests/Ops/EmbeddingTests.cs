using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Lookup_Embedding =>
    [
        new(nameof(Embedding), EmbeddingTests.TableAndIds,
            xs => Embedding.Forward(xs[0], xs[1].Convert<double, int>()),
            (xs, dy) => [Embedding.Vjp(xs[0].Shape, xs[1].Convert<double, int>(), dy), null],
            xs => Embedding.Forward(xs[0], xs[1].Convert<float, int>()),
            Apply: xs => Embedding.Apply(xs[0], xs[1].Value.Convert<double, int>()),
            ApplyFloat: xs => Embedding.Apply(xs[0], xs[1].Value.Convert<float, int>())),
    ];
}

public class EmbeddingTests
{
    /// <summary>[table [V, D], ids [...]]: V in 1…6, D in 0…5, ids of rank 0…2 carried as whole numbers (no gradient).</summary>
    internal static Gen<Tensor<double>[]> TableAndIds =>
        Gen.Select(Gen.Int[1, 6], Gen.Int[0, 5], Gens.Shape(minRank: 0, maxRank: 2, maxDim: 4)).SelectMany((v, d, ids) =>
            Gen.Select(Gens.Tensor(Shape.Of(v, d)), Gen.Int[0, v - 1].Array[ids.Size])
                .Select((table, id) => new[] { table, Tensor.From<double>(ids, [.. id.Select(i => (double)i)]) }));

    private static readonly Tensor<double> Table = Tensor.Matrix([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]);

    [Fact]
    public void Embedding_gathers_rows_by_id()
    {
        var y = Embedding.Forward(Table, Tensor.From<int>([2, 2], [2, 0, 0, 1]));
        Assert.Equal(Tensor.From<double>([2, 2, 2], [5, 6, 1, 2, 1, 2, 3, 4]), y);
        Assert.Equal(Tensor.Vector(3.0, 4.0), Embedding.Forward(Table, Tensor.Scalar(1)));
    }

    [Fact]
    public void Embedding_vjp_sums_the_cotangents_of_duplicate_ids()
    {
        // ids [[2, 0], [0, 1]]: row 0 collects 10 + 100, row 1 gets 1000, row 2 gets 1.
        var dy = Tensor.From<double>([2, 2, 2], [1, 1, 10, 10, 100, 100, 1000, 1000]);
        var dtable = Embedding.Vjp(Table.Shape, Tensor.From<int>([2, 2], [2, 0, 0, 1]), dy);
        Assert.Equal(Tensor.Matrix([110.0, 110.0], [1000.0, 1000.0], [1.0, 1.0]), dtable);
    }

    [Fact]
    public void Embedding_vjp_row_v_is_the_sum_of_dy_rows_whose_id_is_v() =>
        Gen.Select(TableAndIds, Gen.ULong).Sample((xs, seed) =>
        {
            var (table, ids) = (xs[0], xs[1].Convert<double, int>());
            var d = table.Dim(1);
            var dy = Draw.Like(Embedding.Forward(table, ids), seed);
            var dtable = Embedding.Vjp(table.Shape, ids, dy);
            for (var v = 0; v < table.Dim(0); v++)
                for (var j = 0; j < d; j++)
                {
                    var sum = 0.0;
                    for (var i = 0; i < ids.Size; i++)
                        if (ids.Span[i] == v) sum += dy.Span[i * d + j];
                    if (dtable[v, j] != sum) return false;
                }
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Embedding_apply_records_its_vjp()
    {
        var ids = Tensor.From<int>([3], [1, 1, 2]);
        TapeCheck.MatchesVjp([Table], vs => Embedding.Apply(vs[0], ids), (xs, dy) => [Embedding.Vjp(xs[0].Shape, ids, dy)]);
    }

    [Fact]
    public void Embedding_id_out_of_range_names_op_id_position_and_V()
    {
        var ex = Assert.Throws<ArgumentException>(() => Embedding.Forward(Table, Tensor.From<int>([2, 2], [0, 1, 9, 2])));
        Assert.Equal("Embedding: id 9 at position [1, 0] is out of range for V = 3", ex.Message);
        var negative = Assert.Throws<ArgumentException>(() => Embedding.Vjp(Table.Shape, Tensor.Vector(-2), Tensor.Zeros<double>([1, 2])));
        Assert.Equal("Embedding: id -2 at position [0] is out of range for V = 3", negative.Message);
    }

    [Fact]
    public void Embedding_shape_errors_name_op_and_shapes()
    {
        var table = Assert.Throws<ArgumentException>(() => Embedding.Forward(Tensor.Vector(1.0, 2.0), Tensor.Vector(0)));
        Assert.Equal("Embedding: the table must be [V, D], got [2]", table.Message);
        var dy = Assert.Throws<ArgumentException>(() => Embedding.Vjp(Table.Shape, Tensor.Vector(0, 1), Tensor.Zeros<double>([2, 3])));
        Assert.Equal("Embedding: dy [2, 3] must be [2, 2] for ids [2] and table [3, 2]", dy.Message);
    }
}
