using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Batched matrix product <c>y = a·b</c>: a [..., n, k], b [..., k, m] → y [..., n, m], with PyTorch's
/// <c>matmul</c> semantics: the batch axes broadcast (NumPy rules), a plain matrix b [k, m] is shared by every
/// batch (a layer's weights), and a 1-D operand is a row (a) or a column (b) whose axis is dropped from y.
/// </summary>
/// <remarks>VJP: <c>da = dy·bᵀ</c>, <c>db = aᵀ·dy</c> (summed over the batch when b is shared, and over the
/// axes an operand was broadcast along). Transposes are never materialised: the GEMM reads the operands
/// transposed. No residuals beyond a and b. Equal batch axes and a shared b run directly on the GEMM; the other
/// cases (broadcast batch axes, 1-D operands) are in MatMul.Broadcast.cs.</remarks>
public static partial class MatMul
{
    /// <summary><c>y = a·b</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, INumber<T>
    {
        if (!Direct(a, b)) return Broadcasting(a, b);
        var dims = Dims(a, b);
        return Tensor.Build<T, Operands<T>>(a.Shape.WithDim(-1, dims.M), new(a, b, dims), static (s, y) => Into(s.X, s.Y, y, s.Dims));
    }

    /// <summary>Writes <c>a·b</c> into <paramref name="y"/>, for ops that finish the product in place.</summary>
    internal static void Into<T>(Tensor<T> a, Tensor<T> b, Span<T> y)
        where T : unmanaged, INumber<T>
    {
        Into(a, b, y, Dims(a, b));
    }

    private static void Into<T>(Tensor<T> a, Tensor<T> b, Span<T> y, Dimensions dims)
        where T : unmanaged, INumber<T>
    {
        var (batch, n, k, m, shared) = dims;
        if (shared)
            Gemm.Multiply(a.Span, b.Span, y, batch * n, k, m);
        else
            Gemm.MultiplyBatched(a.Span, b.Span, y, batch, n, k, m);
    }

    // A product's dimensions: batch products of n×k by k×m, b shared by the batch or one per product.
    private readonly record struct Dimensions(int Batch, int N, int K, int M, bool Shared);

    // What a product's fill reads: two operands (a and b, or the cotangent and one operand) and the dimensions.
    private readonly record struct Operands<T>(Tensor<T> X, Tensor<T> Y, Dimensions Dims)
        where T : unmanaged, INumber<T>;

    /// <summary><c>(da, db) = (dy·bᵀ, aᵀ·dy)</c>.</summary>
    public static (Tensor<T> Da, Tensor<T> Db) Vjp<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, INumber<T> => (Da(a, b, dy), Db(a, b, dy));

    /// <summary><c>da = dy·bᵀ</c> alone.</summary>
    public static Tensor<T> Da<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        if (!Direct(a, b)) return BroadcastingDa(a, b, dy);
        return Tensor.Build<T, Operands<T>>(a.Shape, new(dy, b, Dims(a, b, dy)), static (s, da) =>
        {
            var (batch, n, k, m, shared) = s.Dims;
            if (shared)
                Gemm.Multiply(s.X.Span, s.Y.Span, da, batch * n, m, k, transB: true);
            else
                Gemm.MultiplyBatched(s.X.Span, s.Y.Span, da, batch, n, m, k, transB: true);
        });
    }

    /// <summary><c>db = aᵀ·dy</c> alone (summed over the batch when b is shared).</summary>
    public static Tensor<T> Db<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        if (!Direct(a, b)) return BroadcastingDb(a, b, dy);
        return Tensor.Build<T, Operands<T>>(b.Shape, new(a, dy, Dims(a, b, dy)), static (s, db) =>
        {
            var (batch, n, k, m, shared) = s.Dims;
            if (shared)
                Gemm.Multiply(s.X.Span, s.Y.Span, db, k, batch * n, m, transA: true);
            else
                Gemm.MultiplyBatched(s.X.Span, s.Y.Span, db, batch, k, n, m, transA: true);
        });
    }

    /// <summary>MatMul on the tape; the pullback skips the product for an operand that needs no gradient (an input batch).</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> a, Var<T> b)
        where T : unmanaged, INumber<T>
    {
        var (av, bv) = (a.Value, b.Value);
        return Net.Record<T>(nameof(MatMul), [a, b], Forward(av, bv), dy =>
            [a.NeedsGrad ? Da(av, bv, dy) : null, b.NeedsGrad ? Db(av, bv, dy) : null]);
    }

    private static Dimensions Dims<T>(Tensor<T> a, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        var dims = Dims(a, b);
        if (!dy.Shape.EqualsWithDim(a.Shape, -1, dims.M))
            throw new ArgumentException($"{nameof(MatMul)}: dy shape {dy.Shape} does not match output {a.Shape.WithDim(-1, dims.M)}");
        return dims;
    }

    private static Dimensions Dims<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, INumber<T>
    {
        ReadOnlySpan<int> x = a.Shape.Dims.AsSpan(), y = b.Shape.Dims.AsSpan();
        if (x.Length < 2 || y.Length < 2)
            throw new ArgumentException($"{nameof(MatMul)}: operands need rank ≥ 2, got {a.Shape} and {b.Shape}");
        var (n, k, m) = (x[^2], x[^1], y[^1]);
        if (k != y[^2])
            throw new ArgumentException($"{nameof(MatMul)}: inner dimensions differ, {a.Shape} · {b.Shape}");
        var batch = a.Shape.SizeOf(0, x.Length - 2);
        if (y.Length == 2) return new(batch, n, k, m, true);
        if (!x[..^2].SequenceEqual(y[..^2]))
            throw new ArgumentException($"{nameof(MatMul)}: batch axes differ, {a.Shape} · {b.Shape}");
        return new(batch, n, k, m, false);
    }
}
