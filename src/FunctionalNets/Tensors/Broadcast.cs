using System.Numerics;
using FunctionalNets.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Tensors;

/// <summary>
/// NumPy-style broadcasting. Two shapes are aligned at their trailing axes; along each axis the dimensions must be
/// equal, or one of them 1 (that operand is stretched), and a missing leading axis counts as 1:
/// <c>[B, T, C]</c> with <c>[C]</c> gives <c>[B, T, C]</c>, <c>[3, 1]</c> with <c>[1, 4]</c> gives <c>[3, 4]</c>.
/// </summary>
/// <remarks>
/// A binary op's VJP undoes the stretching with <see cref="SumTo{T}"/>: the cotangent of an operand is the output
/// cotangent summed over the axes along which that operand was stretched.
/// </remarks>
public static class Broadcast
{
    /// <summary>The broadcast of <paramref name="a"/> and <paramref name="b"/>; throws naming <paramref name="op"/> and both shapes.</summary>
    public static Shape ResultShape(string op, Shape a, Shape b)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (var axis = 0; axis < rank; axis++)
        {
            var (da, db) = (Aligned(a, rank, axis), Aligned(b, rank, axis));
            dims[axis] = da == db || db == 1 ? da
                : da == 1 ? db
                : throw new ArgumentException($"{op}: cannot broadcast {a} with {b}");
        }
        return Shape.Of(dims);
    }

    /// <summary><paramref name="x"/> stretched to <paramref name="shape"/> (a copy; x itself when the shapes are equal).</summary>
    /// <remarks>Throws unless x's shape broadcasts to exactly <paramref name="shape"/>.</remarks>
    public static Tensor<T> To<T>(Tensor<T> x, Shape shape)
        where T : unmanaged, INumber<T>
    {
        if (x.Shape == shape) return x;
        if (!BroadcastsTo(x.Shape, shape))
            throw new ArgumentException($"{nameof(Broadcast)}.{nameof(To)}: cannot broadcast {x.Shape} to {shape}");
        if (shape.Size == 0) return Tensor.Zeros<T>(shape);
        var (dims, strides) = Layout(shape, x.Shape);
        return Tensor.Build<T>(shape, y => Strided.Expand(x.Span, y, dims, strides[0]));
    }

    /// <summary>
    /// <paramref name="x"/> summed down to <paramref name="shape"/>, the shape it was broadcast from: over the
    /// leading axes <paramref name="shape"/> lacks and the axes where it has 1 (x itself when the shapes are equal).
    /// </summary>
    /// <remarks>
    /// Each output element adds its terms one at a time in x's row-major order, so results are reproducible on any
    /// machine and thread count. An empty sum is 0. Throws unless <paramref name="shape"/> broadcasts to x's shape.
    /// </remarks>
    public static Tensor<T> SumTo<T>(Tensor<T> x, Shape shape)
        where T : unmanaged, INumber<T>
    {
        if (x.Shape == shape) return x;
        if (!BroadcastsTo(shape, x.Shape))
            throw new ArgumentException($"{nameof(Broadcast)}.{nameof(SumTo)}: cannot sum {x.Shape} down to {shape}");
        if (x.Size == 0) return Tensor.Zeros<T>(shape);
        if (IsTrailing(shape, x.Shape))
            // x is whole rows of `shape` (a bias's cotangent): add them up row after row, the same order as below.
            return Tensor.BuildZeroed<T, Tensor<T>>(shape, x, static (x, y) =>
            {
                for (var row = 0; row < x.Size; row += y.Length)
                    TensorPrimitives.Add(y, x.Span.Slice(row, y.Length), y);
            });
        var (dims, strides) = Layout(x.Shape, shape);
        return Tensor.BuildZeroed<T>(shape, y => Reduce.SumInto(x.Span, y, dims, strides[0]));
    }

    /// <summary>
    /// <c>y = op(a, b)</c> elementwise with broadcasting. Equal shapes run the op's kernel over the whole buffers, and
    /// a row stretched over whole rows (a bias add [B, T, C] + [C]) is one kernel call per row, both spread over the
    /// threads by <see cref="Pointwise"/>; otherwise the axes are merged (<see cref="Layout"/>) and each output row is
    /// one kernel call.
    /// </summary>
    internal static Tensor<T> Elementwise<TOp, T>(string op, Tensor<T> a, Tensor<T> b)
        where TOp : IBroadcastOp<T>
        where T : unmanaged, INumber<T>
    {
        if (a.Shape == b.Shape) return Tensor.Build<T, (Tensor<T> A, Tensor<T> B)>(a.Shape, (a, b), static (s, y) => Pointwise.Same<TOp, T>(s.A.Span, s.B.Span, y));
        if (IsTrailing(b.Shape, a.Shape))
            // b stretched over whole rows of a (a bias, a positional table): one row kernel call per row.
            return Tensor.Build<T, (Tensor<T> A, Tensor<T> B)>(a.Shape, (a, b), static (s, y) => Pointwise.EachRow<TOp, T>(s.A.Span, s.B.Span, y));
        var shape = ResultShape(op, a.Shape, b.Shape);
        if (shape.Size == 0) return Tensor.Zeros<T>(shape);
        var (dims, strides) = Layout(shape, a.Shape, b.Shape);
        return Tensor.Build<T>(shape, y => Strided.Binary<TOp, T>(a.Span, b.Span, y, dims, strides[0], strides[1]));
    }

    /// <summary>Throws, naming <paramref name="op"/>, unless <paramref name="dy"/> has the shape of <c>op(a, b)</c>.</summary>
    internal static void RequireCotangent<T>(string op, Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        var shape = ResultShape(op, a.Shape, b.Shape);
        if (dy.Shape != shape)
            throw new ArgumentException($"{op}: dy shape {dy.Shape} does not match output {shape} of {a.Shape} and {b.Shape}");
    }

    // Whether `part` (more than one element, no higher rank) is `full`'s trailing axes once its leading 1s are
    // dropped, so it stretches over whole rows of `full`.
    private static bool IsTrailing(Shape part, Shape full)
    {
        if (part.Size <= 1 || part.Rank > full.Rank) return false;
        var lead = part.Rank;
        while (part[part.Rank - lead] == 1) lead--;
        for (var k = 1; k <= lead; k++)
            if (part[-k] != full[-k]) return false;
        return true;
    }

    // Whether `part` stretches to exactly `full`.
    private static bool BroadcastsTo(Shape part, Shape full)
    {
        if (part.Rank > full.Rank) return false;
        for (var axis = 0; axis < full.Rank; axis++)
        {
            var d = Aligned(part, full.Rank, axis);
            if (d != full[axis] && d != 1) return false;
        }
        return true;
    }

    // Dimension of `axis` of the rank-`rank` alignment of `s`: missing leading axes count as 1.
    private static int Aligned(Shape s, int rank, int axis)
    {
        var k = axis - (rank - s.Rank);
        return k >= 0 ? s[k] : 1;
    }

    /// <summary>
    /// The index space of <paramref name="shape"/> with axes of size 1 dropped and neighbouring axes merged when
    /// every operand treats them alike (all walked, or the same ones stretched), and each operand's strides over
    /// it (0 where stretched). [B, T, C] with [C] becomes dims [B·T, C] with strides [C, 1] and [0, 1].
    /// </summary>
    private static (int[] Dims, int[][] Strides) Layout(Shape shape, params Shape[] operands)
    {
        var (dims, stretched) = (new List<int>(shape.Rank), new List<int>(shape.Rank));
        for (var axis = 0; axis < shape.Rank; axis++)
        {
            if (shape[axis] == 1) continue;
            var mask = 0;
            for (var j = 0; j < operands.Length; j++)
                if (Aligned(operands[j], shape.Rank, axis) == 1) mask |= 1 << j;
            if (dims.Count > 0 && stretched[^1] == mask) dims[^1] *= shape[axis];
            else
            {
                dims.Add(shape[axis]);
                stretched.Add(mask);
            }
        }
        if (dims.Count == 0)
        {
            dims.Add(1);
            stretched.Add(0);
        }
        var strides = new int[operands.Length][];
        for (var j = 0; j < operands.Length; j++)
        {
            strides[j] = new int[dims.Count];
            var step = 1;
            for (var k = dims.Count - 1; k >= 0; k--)
            {
                if ((stretched[k] >> j & 1) == 1) continue;
                strides[j][k] = step;
                step *= dims[k];
            }
        }
        return ([.. dims], strides);
    }
}
