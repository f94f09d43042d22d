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
/// The per-slice work of scaled dot-product attention; each slice is computed on its own (operands gathered into
/// contiguous scratch when strided), so slices can run on any thread in any order with the same bits.
/// </summary>
internal static unsafe class AttentionSlices
{
    /// <summary>Slice i's rows × cols block: the buffer itself when contiguous, else a copy in <paramref name="scratch"/>.</summary>
    private static ReadOnlySpan<T> Read<T>(T* buffer, SliceLayout layout, int slice, int rows, int cols, Span<T> scratch)
        where T : unmanaged
    {
        var start = buffer + layout.Offset(slice);
        if (layout.RowStride == cols) return new ReadOnlySpan<T>(start, rows * cols);
        for (var r = 0; r < rows; r++)
            new ReadOnlySpan<T>(start + (nint)r * layout.RowStride, cols).CopyTo(scratch.Slice(r * cols, cols));
        return scratch[..(rows * cols)];
    }

    /// <summary>Where slice i's rows × cols result is computed: in place when contiguous, else in <paramref name="scratch"/> for <see cref="Write"/>.</summary>
    private static Span<T> Target<T>(T* buffer, SliceLayout layout, int slice, int rows, int cols, Span<T> scratch)
        where T : unmanaged =>
        layout.RowStride == cols ? new Span<T>(buffer + layout.Offset(slice), rows * cols) : scratch[..(rows * cols)];

    /// <summary>Copies a result computed in scratch to its strided place (nothing to do when it was computed in place).</summary>
    private static void Write<T>(ReadOnlySpan<T> block, T* buffer, SliceLayout layout, int slice, int rows, int cols)
        where T : unmanaged
    {
        if (layout.RowStride == cols) return;
        var start = buffer + layout.Offset(slice);
        for (var r = 0; r < rows; r++)
            block.Slice(r * cols, cols).CopyTo(new Span<T>(start + (nint)r * layout.RowStride, cols));
    }

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
    /// dq, dk and dv, laid out as q, k and v.
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> q, SliceLayout qL, ReadOnlySpan<T> k, SliceLayout kL, ReadOnlySpan<T> v, SliceLayout vL,
        ReadOnlySpan<T> p, ReadOnlySpan<T> dy, SliceLayout yL, Span<T> dq, Span<T> dk, Span<T> dv, int slices, int t, int s, int d, int e)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pq = q, pk = k, pv = v, pp = p, pdy = dy, pdq = dq, pdk = dk, pdv = dv)
            Partition.For(slices, (long)t * s * (2 * d + 2 * e), new BackwardSlices<T>(pq, qL, pk, kL, pv, vL, pp, pdy, yL, pdq, pdk, pdv, t, s, d, e));
    }

    /// <summary>Forward over slices [start, end): P = softmax(q·kᵀ/√D + M) into p (contiguous [T, S] per slice), then y = P·v.</summary>
    private readonly struct ForwardSlices<T>(T* q, SliceLayout qL, T* k, SliceLayout kL, T* v, SliceLayout vL, T* p, T* y, SliceLayout yL, int t, int s, int d, int e, bool causal)
        : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            var (scores, qs, ks, vs, ys) = (new T[t * s], new T[t * d], new T[s * d], new T[s * e], new T[t * e]);
            var scale = Scale<T>(d);
            for (var i = start; i < end; i++)
            {
                var pi = new Span<T>(p + (nint)i * t * s, t * s);
                Gemm.Multiply(Read(q, qL, i, t, d, qs), Read(k, kL, i, s, d, ks), scores, t, d, s, transB: true);
                TensorPrimitives.Multiply(scores, scale, scores);
                if (causal) Triangle.FillAbove<T>(scores, t, T.NegativeInfinity);
                Rows.Softmax(scores, pi, t, s);
                var yi = Target(y, yL, i, t, e, ys);
                Gemm.Multiply(pi, Read(v, vL, i, s, e, vs), yi, t, s, e);
                Write<T>(yi, y, yL, i, t, e);
            }
        }
    }

    /// <summary>VJP over slices [start, end): dP = dy·vᵀ, dS from the softmax VJP scaled by 1/√D, then dq = dS·k, dk = dSᵀ·q, dv = Pᵀ·dy.</summary>
    private readonly struct BackwardSlices<T>(T* q, SliceLayout qL, T* k, SliceLayout kL, T* v, SliceLayout vL, T* p, T* dy, SliceLayout yL, T* dq, T* dk, T* dv, int t, int s, int d, int e)
        : IRangeBody
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(int start, int end)
        {
            var (dP, dS) = (new T[t * s], new T[t * s]);
            var (qs, ks, vs, dys) = (new T[t * d], new T[s * d], new T[s * e], new T[t * e]);
            var (dqs, dks, dvs) = (new T[t * d], new T[s * d], new T[s * e]);
            var scale = Scale<T>(d);
            for (var i = start; i < end; i++)
            {
                ReadOnlySpan<T> pi = new(p + (nint)i * t * s, t * s), dyi = Read(dy, yL, i, t, e, dys);
                ReadOnlySpan<T> qi = Read(q, qL, i, t, d, qs), ki = Read(k, kL, i, s, d, ks);
                Gemm.Multiply(dyi, Read(v, vL, i, s, e, vs), dP, t, e, s, transB: true);
                Rows.SoftmaxVjp(pi, dP, dS, t, s);
                TensorPrimitives.Multiply(dS, scale, dS);
                Span<T> dqi = Target(dq, qL, i, t, d, dqs), dki = Target(dk, kL, i, s, d, dks), dvi = Target(dv, vL, i, s, e, dvs);
                Gemm.Multiply(dS, ki, dqi, t, s, d);
                Gemm.Multiply(dS, qi, dki, s, t, d, transA: true);
                Gemm.Multiply(pi, dyi, dvi, s, t, e, transA: true);
                Write<T>(dqi, dq, qL, i, t, d);
                Write<T>(dki, dk, kL, i, s, d);
                Write<T>(dvi, dv, vL, i, s, e);
            }
        }
    }
}
