using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Affine map <c>y = x·W + b</c>: x [..., n, k], W [k, m], b [m] → y [..., n, m]. A dense layer's product and bias add as
/// one op with one result buffer.
/// </summary>
/// <remarks>
/// The product is <see cref="MatMul"/>'s and the bias is then added to each row in place, so y has the same bits as
/// <c>Add(MatMul(x, W), b)</c> without the intermediate tensor.
/// VJP: <c>dx = dy·Wᵀ</c>, <c>dW = xᵀ·dy</c> (summed over every row of x), <c>db = Σ dy</c> over every row. The
/// pullback keeps x and W, not y.
/// </remarks>
public static class Affine
{
    /// <summary><c>y = x·W + b</c>.</summary>
    public static Tensor<T> Forward<T>(Tensor<T> x, Tensor<T> w, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = Units(x, w, b);
        return Tensor.Build<T>(x.Shape.WithDim(-1, m), y =>
        {
            MatMul.Into(x, w, y);
            Pointwise.EachRow<Add.AddKernel<T>, T>(y, b.Span, y);
        });
    }

    /// <summary><c>(dx, dW, db) = (dy·Wᵀ, xᵀ·dy, Σ_rows dy)</c>.</summary>
    public static (Tensor<T> Dx, Tensor<T> Dw, Tensor<T> Db) Vjp<T>(Tensor<T> x, Tensor<T> w, Tensor<T> b, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Units(x, w, b);
        return (MatMul.Da(x, w, dy), MatMul.Db(x, w, dy), Broadcast.SumTo(dy, b.Shape));
    }

    /// <summary>Affine on the tape; the pullback skips the products for operands that need no gradient (an input batch).</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, Var<T> w, Var<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xv, wv, bShape) = (x.Value, w.Value, b.Shape);
        return Net.Record<T>(nameof(Affine), [x, w, b], Forward(xv, wv, b.Value), dy =>
            [x.NeedsGrad ? MatMul.Da(xv, wv, dy) : null, w.NeedsGrad ? MatMul.Db(xv, wv, dy) : null, b.NeedsGrad ? Broadcast.SumTo(dy, bShape) : null]);
    }

    /// <summary>m, after checking that x [..., n, k], W [k, m] and b [m] fit together.</summary>
    private static int Units<T>(Tensor<T> x, Tensor<T> w, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank < 2 || w.Rank != 2 || b.Rank != 1 || x.Dim(-1) != w.Dim(0) || b.Dim(0) != w.Dim(1))
            throw new ArgumentException($"{nameof(Affine)}: expected x [..., n, k], W [k, m] and b [m], got x {x.Shape}, W {w.Shape}, b {b.Shape}");
        return w.Dim(1);
    }
}
