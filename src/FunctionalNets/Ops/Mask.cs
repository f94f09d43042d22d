using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>Masking ops: entries are replaced by a constant where a mask says so, and get no gradient there.</summary>
public static class Mask
{
    /// <summary>
    /// Causal mask of attention scores [..., T, T]: <c>y[..., i, j] = −∞</c> for <c>j &gt; i</c> (a position may not
    /// look at later ones), <c>y = x</c> elsewhere.
    /// </summary>
    /// <remarks>
    /// VJP: <c>dx = dy</c> on and below the diagonal, 0 above it. No residuals. Every row keeps its diagonal entry,
    /// so a softmax over a masked row is never fully masked.
    /// </remarks>
    public static class Causal
    {
        /// <summary><c>y = x</c> with entries above the diagonal of the last two axes set to −∞.</summary>
        public static Tensor<T> Forward<T>(Tensor<T> x)
            where T : unmanaged, IFloatingPointIeee754<T> => Above(x, T.NegativeInfinity);

        /// <summary><c>dx = dy</c> with entries above the diagonal of the last two axes set to 0.</summary>
        public static Tensor<T> Vjp<T>(Tensor<T> dy)
            where T : unmanaged, IFloatingPointIeee754<T> => Above(dy, T.Zero);

        /// <summary>The causal mask on the tape.</summary>
        public static Net<T, Var<T>> Apply<T>(Var<T> x)
            where T : unmanaged, IFloatingPointIeee754<T> => Net.Unary(nameof(Mask) + "." + nameof(Causal), x, Forward, (_, _, dy) => Vjp(dy));

        private static Tensor<T> Above<T>(Tensor<T> x, T value)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (x.Rank < 2 || x.Dim(-1) != x.Dim(-2))
                throw new ArgumentException($"{nameof(Mask)}.{nameof(Causal)}: expected square scores [..., T, T], got {x.Shape}");
            return Tensor.Build<T>(x.Shape, y =>
            {
                x.Span.CopyTo(y);
                Triangle.FillAbove(y, x.Dim(-1), value);
            });
        }
    }

    /// <summary>
    /// Masked fill: <c>y = value</c> where <c>mask ≠ 0</c>, <c>y = x</c> elsewhere. The mask's shape is the trailing
    /// axes of x's shape (equal to it, or shorter); it repeats over x's leading axes.
    /// </summary>
    /// <remarks>VJP: <c>dx = dy</c> where <c>mask = 0</c>, 0 where it is set. No residuals beyond the mask.</remarks>
    public static class Fill
    {
        /// <summary><c>y = mask ≠ 0 ? value : x</c>.</summary>
        public static Tensor<T> Forward<T>(Tensor<T> x, Tensor<int> mask, T value)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (mask.Rank > x.Rank || !x.Shape.Dims.AsSpan((x.Rank - mask.Rank)..).SequenceEqual(mask.Shape.Dims.AsSpan()))
                throw new ArgumentException($"{nameof(Mask)}.{nameof(Fill)}: mask {mask.Shape} must equal the trailing axes of {x.Shape}");
            return Tensor.Build<T>(x.Shape, y =>
            {
                ReadOnlySpan<T> xs = x.Span;
                ReadOnlySpan<int> m = mask.Span;
                for (var i = 0; i < y.Length; i++)
                    y[i] = m[i % m.Length] != 0 ? value : xs[i];
            });
        }

        /// <summary><c>dx = mask ≠ 0 ? 0 : dy</c>.</summary>
        public static Tensor<T> Vjp<T>(Tensor<int> mask, Tensor<T> dy)
            where T : unmanaged, IFloatingPointIeee754<T> => Forward(dy, mask, T.Zero);

        /// <summary>The masked fill on the tape; the mask and value are constants.</summary>
        public static Net<T, Var<T>> Apply<T>(Var<T> x, Tensor<int> mask, T value)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Net.Unary(nameof(Mask) + "." + nameof(Fill), x, t => Forward(t, mask, value), (_, _, dy) => Vjp(mask, dy));
    }
}
