using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// Layer normalisation over the rows of a [rows, cols] view: <c>y = (x − μ)·rstd·γ + β</c> with
/// <c>rstd = 1/√(var + ε)</c> and the biased variance. An empty γ (and β) means no gain or bias.
/// </summary>
internal static class Norm
{
    /// <summary>
    /// Writes y and the per-row mean and rstd; the variance is taken about the mean (two passes), not as E[x²] − μ².
    /// Rows are independent, so they are split between threads without changing any result.
    /// </summary>
    public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, Span<T> y,
        Span<T> mean, Span<T> rstd, int rows, int cols, T eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x, pg = gamma, pb = beta, py = y, pm = mean, pr = rstd)
            Partition.For(rows, 4L * cols, new ForwardRows<T>(px, pg, pb, py, pm, pr, cols, gamma.Length, eps));
    }

    /// <summary>Rows [start, end) of <see cref="Forward{T}"/>; the buffers are pinned by the caller.</summary>
    private readonly unsafe struct ForwardRows<T>(T* x, T* gamma, T* beta, T* y, T* mean, T* rstd, int cols, int gains, T eps) : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            var c = T.CreateTruncating(cols);
            ReadOnlySpan<T> g = new(gamma, gains), b = new(beta, gains);
            for (var r = start; r < end; r++)
            {
                ReadOnlySpan<T> xr = new(x + (nint)r * cols, cols);
                var yr = new Span<T>(y + (nint)r * cols, cols);
                var mu = LaneSum.Sum(xr) / c;
                TensorPrimitives.Subtract(xr, mu, yr); // centred rows, kept in y
                var rs = T.One / T.Sqrt(LaneSum.SumOfSquares<T>(yr) / c + eps);
                TensorPrimitives.Multiply(yr, rs, yr);
                if (gains > 0) TensorPrimitives.MultiplyAdd(yr, g, b, yr);
                mean[r] = mu;
                rstd[r] = rs;
            }
        }
    }

    /// <summary>
    /// <c>dx = rstd·(dn − mean(dn) − x̂·mean(dn·x̂))</c> with <c>x̂ = (x − μ)·rstd</c> and <c>dn = dy·γ</c>. When γ is
    /// given, also adds <c>Σ_rows dy·x̂</c> into <paramref name="dgamma"/> and <c>Σ_rows dy</c> into
    /// <paramref name="dbeta"/>, row after row in index order (the caller zeroes them).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        ReadOnlySpan<T> dy, Span<T> dx, Span<T> dgamma, Span<T> dbeta, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var affine = !gamma.IsEmpty;
        var c = T.CreateTruncating(cols);
        var scratch = System.Buffers.ArrayPool<T>.Shared.Rent(2 * cols);
        var xhat = scratch.AsSpan(0, cols);
        var dn = scratch.AsSpan(cols, cols);
        for (var r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> xr = x.Slice(r * cols, cols), dyr = dy.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            TensorPrimitives.Subtract(xr, mean[r], xhat);
            TensorPrimitives.Multiply(xhat, rstd[r], xhat);                   // x̂ = (x − μ)·rstd
            if (affine)
            {
                TensorPrimitives.Multiply(dyr, gamma, dn);                   // dn = dy·γ
                TensorPrimitives.MultiplyAdd(dyr, xhat, dgamma, dgamma);      // dγ += dy·x̂, rows in order
                TensorPrimitives.Add(dbeta, dyr, dbeta);                       // dβ += dy
            }
            else
                dyr.CopyTo(dn);
            var meanDn = LaneSum.Sum<T>(dn) / c;
            var meanDnXhat = LaneSum.Dot<T>(dn, xhat) / c;
            TensorPrimitives.MultiplyAdd(xhat, -meanDnXhat, dn, dxr);          // dn − x̂·mean(dn·x̂)
            TensorPrimitives.Subtract(dxr, meanDn, dxr);
            TensorPrimitives.Multiply(dxr, rstd[r], dxr);                      // dx = rstd·(dn − mean(dn) − x̂·mean(dn·x̂))
        }
        System.Buffers.ArrayPool<T>.Shared.Return(scratch);
    }
}
