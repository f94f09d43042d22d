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
    /// <remarks>
    /// Rows of dx are independent and split between threads; the gain and bias sums are split by column instead, each
    /// column adding its rows in index order, so neither split changes a bit. Every element operation is a separately
    /// rounded IEEE operation (no fused multiply-add), so vector lanes and the scalar tail agree.
    /// </remarks>
    public static unsafe void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> gamma, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        ReadOnlySpan<T> dy, Span<T> dx, Span<T> dgamma, Span<T> dbeta, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x, pg = gamma, pm = mean, pr = rstd, pdy = dy, pdx = dx, pdg = dgamma, pdb = dbeta)
        {
            var stats = new RowStats<T>(px, pm, pr, cols);
            Partition.For(rows, 12L * cols, new BackwardRows<T>(stats, pg, pdy, pdx, gamma.Length));
            if (!gamma.IsEmpty)
                Partition.For((cols + ColumnBlock - 1) / ColumnBlock, 4L * ColumnBlock * rows,
                    new GainSums<T>(stats, pdy, pdg, pdb, rows));
        }
    }

    // Columns per item of the gain-sum split: whole vectors at every width.
    private const int ColumnBlock = 64;

    /// <summary>x and its saved per-row statistics, to rebuild <c>x̂ = (x − μ)·rstd</c> anywhere.</summary>
    private readonly unsafe struct RowStats<T>(T* x, T* mean, T* rstd, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int Cols => cols;

        public T Mean(int r) => mean[r];

        public T Rstd(int r) => rstd[r];

        public T* Row(int r) => x + (nint)r * cols;
    }

    /// <summary>dx for rows [start, end).</summary>
    private readonly unsafe struct BackwardRows<T>(RowStats<T> stats, T* gamma, T* dy, T* dx, int gains) : IRangeBody, IVectorRangeBody<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => AtWidth.Run<BackwardRows<T>, T>(this, start, end);

        public void Run<TV>(int start, int end)
            where TV : unmanaged, ISimd<TV, T>
        {
            var cols = stats.Cols;
            var c = T.CreateTruncating(cols);
            var (w, vectors) = (TV.Count, TV.IsSupported);
            var scratch = System.Buffers.ArrayPool<T>.Shared.Rent(2 * cols);
            fixed (T* pxhat = scratch)
            {
                T* xhat = pxhat, dn = pxhat + cols;
                for (var r = start; r < end; r++)
                {
                    T* xr = stats.Row(r), dyr = dy + (nint)r * cols, dxr = dx + (nint)r * cols;
                    var (mu, rs) = (stats.Mean(r), stats.Rstd(r));
                    var j = 0;
                    if (vectors)
                        for (; j + w <= cols; j += w)
                        {
                            var xh = (TV.Load(xr + j) - TV.Create(mu)) * TV.Create(rs);
                            xh.Store(xhat + j);
                            (gains > 0 ? TV.Load(dyr + j) * TV.Load(gamma + j) : TV.Load(dyr + j)).Store(dn + j);
                        }
                    for (; j < cols; j++)
                    {
                        xhat[j] = (xr[j] - mu) * rs;
                        dn[j] = gains > 0 ? dyr[j] * gamma[j] : dyr[j];
                    }
                    var meanDn = LaneSum.Sum(new ReadOnlySpan<T>(dn, cols)) / c;
                    var meanDnXhat = LaneSum.Dot(new ReadOnlySpan<T>(dn, cols), new ReadOnlySpan<T>(xhat, cols)) / c;
                    j = 0;
                    if (vectors)
                        for (; j + w <= cols; j += w)
                            ((TV.Load(xhat + j) * TV.Create(-meanDnXhat) + TV.Load(dn + j) - TV.Create(meanDn)) * TV.Create(rs)).Store(dxr + j);
                    for (; j < cols; j++)
                        dxr[j] = (xhat[j] * -meanDnXhat + dn[j] - meanDn) * rs; // rstd·(dn − mean(dn) − x̂·mean(dn·x̂))
                }
            }
            System.Buffers.ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary><c>dγ += Σ_rows dy·x̂</c> and <c>dβ += Σ_rows dy</c> for column blocks [start, end), rows in index order.</summary>
    private readonly unsafe struct GainSums<T>(RowStats<T> stats, T* dy, T* dgamma, T* dbeta, int rows) : IRangeBody, IVectorRangeBody<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end) => AtWidth.Run<GainSums<T>, T>(this, start, end);

        public void Run<TV>(int start, int end)
            where TV : unmanaged, ISimd<TV, T>
        {
            var cols = stats.Cols;
            var (from, to) = (start * ColumnBlock, Math.Min(cols, end * ColumnBlock));
            var j = from;
            if (TV.IsSupported)
                for (; j + TV.Count <= to; j += TV.Count)
                {
                    var (g, b) = (TV.Load(dgamma + j), TV.Load(dbeta + j));
                    for (var r = 0; r < rows; r++)
                    {
                        var dyr = TV.Load(dy + (nint)r * cols + j);
                        var xh = (TV.Load(stats.Row(r) + j) - TV.Create(stats.Mean(r))) * TV.Create(stats.Rstd(r));
                        g = dyr * xh + g;
                        b += dyr;
                    }
                    g.Store(dgamma + j);
                    b.Store(dbeta + j);
                }
            for (; j < to; j++)
                for (var r = 0; r < rows; r++)
                {
                    var dyr = dy[(nint)r * cols + j];
                    dgamma[j] = dyr * ((stats.Row(r)[j] - stats.Mean(r)) * stats.Rstd(r)) + dgamma[j];
                    dbeta[j] += dyr;
                }
        }
    }
}
