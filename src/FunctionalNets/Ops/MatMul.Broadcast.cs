using System.Numerics;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

// MatMul's general case, PyTorch's matmul: the operands are promoted (a 1-D a to a row [1, k], a 1-D b to a column
// [k, 1]), their batch axes broadcast to a common batch shape, the product runs on the expanded operands, and the
// promoted axes are dropped from y. The VJP runs the direct VJP on the expanded operands and sums each cotangent
// back down to its operand (Broadcast.SumTo), then undoes the promotion.
public static partial class MatMul
{
    // Whether the direct path serves (a, b): both at least matrices, and b shared or with a's batch axes exactly.
    private static bool Direct<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, INumber<T> =>
        a.Rank >= 2 && b.Rank >= 2 &&
        (b.Rank == 2 || (a.Rank == b.Rank && a.Shape.Dims.AsSpan(0, a.Rank - 2).SequenceEqual(b.Shape.Dims.AsSpan(0, b.Rank - 2))));

    private static Tensor<T> Broadcasting<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, INumber<T>
    {
        var g = Geometry.Of(a.Shape, b.Shape);
        return Forward(g.ExpandA(a), g.ExpandB(b)).Reshape(g.Output);
    }

    private static Tensor<T> BroadcastingDa<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        var g = Geometry.Of(a.Shape, b.Shape, dy.Shape);
        return Broadcast.SumTo(Da(g.ExpandA(a), g.ExpandB(b), dy.Reshape(g.Product)), g.A).Reshape(a.Shape);
    }

    private static Tensor<T> BroadcastingDb<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        var g = Geometry.Of(a.Shape, b.Shape, dy.Shape);
        return Broadcast.SumTo(Db(g.ExpandA(a), g.ExpandB(b), dy.Reshape(g.Product)), g.B).Reshape(b.Shape);
    }

    /// <summary>
    /// The shapes of a general product: the promoted operands <paramref name="A"/> [..., n, k] and
    /// <paramref name="B"/> [..., k, m], the expanded ones (the common batch shape, except that a matrix B stays
    /// shared), the product [batch..., n, m] and the output with the promoted axes dropped.
    /// </summary>
    private sealed record Geometry(Shape A, Shape B, Shape ExpandedA, Shape ExpandedB, Shape Product, Shape Output)
    {
        public static Geometry Of(Shape a, Shape b)
        {
            if (a.Rank == 0 || b.Rank == 0)
                throw new ArgumentException($"{nameof(MatMul)}: operands need rank ≥ 1, got {a} and {b}");
            var pa = a.Rank == 1 ? Shape.Of(1, a[0]) : a;
            var pb = b.Rank == 1 ? Shape.Of(b[0], 1) : b;
            var (n, k, k2, m) = (pa[-2], pa[-1], pb[-2], pb[-1]);
            if (k != k2)
                throw new ArgumentException($"{nameof(MatMul)}: inner dimensions differ, {a} · {b}");
            var (batchA, batchB) = (Shape.Of(pa.Dims.AsSpan(0, pa.Rank - 2)), Shape.Of(pb.Dims.AsSpan(0, pb.Rank - 2)));
            Shape batch;
            try
            {
                batch = Broadcast.ResultShape(nameof(MatMul), batchA, batchB);
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"{nameof(MatMul)}: batch axes {batchA} and {batchB} do not broadcast, {a} · {b}");
            }
            Shape With(params int[] tail) => Shape.Of([.. batch, .. tail]);
            Shape output = Shape.Of([.. batch, .. (a.Rank == 1 ? Array.Empty<int>() : [n]), .. (b.Rank == 1 ? Array.Empty<int>() : [m])]);
            return new(pa, pb, With(n, k), pb.Rank == 2 ? pb : With(k, m), With(n, m), output);
        }

        public static Geometry Of(Shape a, Shape b, Shape dy)
        {
            var g = Of(a, b);
            return dy == g.Output ? g : throw new ArgumentException($"{nameof(MatMul)}: dy shape {dy} does not match output {g.Output} of {a} · {b}");
        }

        public Tensor<T> ExpandA<T>(Tensor<T> a)
            where T : unmanaged, INumber<T> => Broadcast.To(a.Reshape(A), ExpandedA);

        public Tensor<T> ExpandB<T>(Tensor<T> b)
            where T : unmanaged, INumber<T> => Broadcast.To(b.Reshape(B), ExpandedB);
    }
}
