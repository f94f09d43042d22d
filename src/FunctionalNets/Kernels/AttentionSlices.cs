using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// Where the rows of one attention operand's slices live in its buffer: slice i = (batch b, head h) with
/// b = i / Heads, h = i mod Heads starts at <c>b·BatchStride + h·HeadStride</c>, and its rows are
/// <see cref="RowStride"/> elements apart. Contiguous [slices, rows, cols] buffers have one head and RowStride = cols;
/// heads packed side by side in [B, T, H·D] rows have RowStride = H·D (or 3·H·D when q, k and v share each row, the
/// operand starting at <see cref="Origin"/> 0, C or 2·C of the buffer).
/// </summary>
internal readonly record struct SliceLayout(int Heads, int BatchStride, int HeadStride, int RowStride, int Origin = 0)
{
    /// <summary>Slices stored one after another, each rows × cols.</summary>
    public static SliceLayout Contiguous(int rows, int cols) => new(1, rows * cols, 0, cols);

    public nint Offset(int slice) => Origin + (nint)(slice / Heads) * BatchStride + (nint)(slice % Heads) * HeadStride;
}

/// <summary>
/// The per-slice work of scaled dot-product attention; each slice is computed on its own, its operands read and its
/// results written in place through the GEMM's row strides, so slices can run on any thread in any order with the same bits.
/// </summary>
internal static unsafe class AttentionSlices
{
    // What a causal slice's products may leave out (GemmBand); nothing otherwise.
    private static GemmBand Band(bool causal, GemmBand masked) => causal ? masked : GemmBand.Full;

    private static T Scale<T>(int d)
        where T : unmanaged, IFloatingPointIeee754<T> => T.One / T.Sqrt(T.CreateTruncating(d));

    /// <summary>
    /// The forward over <paramref name="slices"/> slices, split across threads: P = softmax(q·kᵀ/√D + M) into
    /// <paramref name="p"/> (contiguous [T, S] per slice), then y = P·v; q is T × D, k S × D, v S × E, y T × E per slice.
    /// </summary>
    public static void Forward<T>(ReadOnlySpan<T> q, SliceLayout qL, ReadOnlySpan<T> k, SliceLayout kL, ReadOnlySpan<T> v, SliceLayout vL,
        Span<T> p, Span<T> y, SliceLayout yL, int slices, int t, int s, int d, int e, bool causal)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pq = q, pk = k, pv = v, pp = p, py = y)
            Partition.For(slices, (long)t * s * (d + e), new ForwardSlices<T>(pq, qL, pk, kL, pv, vL, pp, py, yL, t, s, d, e, causal));
    }

    /// <summary>
    /// The VJP over <paramref name="slices"/> slices, split across threads, from the saved P and dy (laid out as y):
    /// dq, dk and dv, laid out as q, k and v. <paramref name="causal"/> says P is zero above the diagonal, so the
    /// products may leave those terms out (the same bits).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> q, SliceLayout qL, ReadOnlySpan<T> k, SliceLayout kL, ReadOnlySpan<T> v, SliceLayout vL,
        ReadOnlySpan<T> p, ReadOnlySpan<T> dy, SliceLayout yL, Span<T> dq, Span<T> dk, Span<T> dv, int slices, int t, int s, int d, int e, bool causal)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pq = q, pk = k, pv = v, pp = p, pdy = dy, pdq = dq, pdk = dk, pdv = dv)
            Partition.For(slices, (long)t * s * (2 * d + 2 * e), new BackwardSlices<T>(pq, qL, pk, kL, pv, vL, pp, pdy, yL, pdq, pdk, pdv, t, s, d, e, causal));
    }

    /// <summary>
    /// Forward over slices [start, end): P = softmax(q·kᵀ/√D + M) into p (contiguous [T, S] per slice), then y = P·v.
    /// Causal, the scores above the diagonal are not computed (they become −∞) and P·v leaves out P's zeros.
    /// </summary>
    private readonly struct ForwardSlices<T>(T* q, SliceLayout qL, T* k, SliceLayout kL, T* v, SliceLayout vL, T* p, T* y, SliceLayout yL, int t, int s, int d, int e, bool causal)
        : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            var scores = new T[t * s];
            var scale = Scale<T>(d);
            fixed (T* ps = scores)
                for (var i = start; i < end; i++)
                {
                    var pi = p + (nint)i * t * s;
                    Gemm.Multiply(q + qL.Offset(i), qL.RowStride, k + kL.Offset(i), kL.RowStride, ps, s, t, d, s, transB: true, band: Band(causal, GemmBand.Lower));
                    TensorPrimitives.Multiply(scores, scale, scores);
                    if (causal)
                    {
                        Triangle.FillAbove<T>(scores, t, T.NegativeInfinity);
                        Rows.CausalSoftmax(scores, new Span<T>(pi, t * s), t);
                    }
                    else
                        Rows.Softmax(scores, new Span<T>(pi, t * s), t, s);
                    Gemm.Multiply(pi, s, v + vL.Offset(i), vL.RowStride, y + yL.Offset(i), yL.RowStride, t, s, e, band: Band(causal, GemmBand.TermsUpToRow));
                }
        }
    }

    /// <summary>
    /// VJP over slices [start, end): dP = dy·vᵀ, dS from the softmax VJP scaled by 1/√D, then dq = dS·k, dk = dSᵀ·q,
    /// dv = Pᵀ·dy. Causal, dP above the diagonal is zero instead of computed (it meets only P's zeros there) and the
    /// products leave out the zeros of dS and P.
    /// </summary>
    private readonly struct BackwardSlices<T>(T* q, SliceLayout qL, T* k, SliceLayout kL, T* v, SliceLayout vL, T* p, T* dy, SliceLayout yL, T* dq, T* dk, T* dv,
        int t, int s, int d, int e, bool causal)
        : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            var (dP, dS) = (new T[t * s], new T[t * s]);
            var scale = Scale<T>(d);
            fixed (T* pdP = dP, pdS = dS)
                for (var i = start; i < end; i++)
                {
                    T* pi = p + (nint)i * t * s, dyi = dy + yL.Offset(i), qi = q + qL.Offset(i), ki = k + kL.Offset(i);
                    Gemm.Multiply(dyi, yL.RowStride, v + vL.Offset(i), vL.RowStride, pdP, s, t, e, s, transB: true, band: Band(causal, GemmBand.Lower));
                    if (causal) Triangle.FillAbove<T>(dP, t, T.Zero); // tiles left out hold an earlier slice's values
                    Rows.SoftmaxVjp(new ReadOnlySpan<T>(pi, t * s), dP, dS, t, s);
                    TensorPrimitives.Multiply(dS, scale, dS);
                    Gemm.Multiply(pdS, s, ki, kL.RowStride, dq + qL.Offset(i), qL.RowStride, t, s, d, band: Band(causal, GemmBand.TermsUpToRow));
                    Gemm.Multiply(pdS, s, qi, qL.RowStride, dk + kL.Offset(i), kL.RowStride, s, t, d, transA: true, band: Band(causal, GemmBand.TermsFromRow));
                    Gemm.Multiply(pi, s, dyi, yL.RowStride, dv + vL.Offset(i), vL.RowStride, s, t, e, transA: true, band: Band(causal, GemmBand.TermsFromRow));
                }
        }
    }
}
