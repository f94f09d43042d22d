namespace FunctionalNets.Kernels;

/// <summary>
/// Copies between tensors that differ along one axis. Viewed as <c>[outer, width]</c> rows (width = the axis
/// length times the size of the axes after it), a band is a run of <c>n</c> columns of every row: Concat writes
/// each input as a band of the output, Slice and Split read bands, and their VJPs write bands back.
/// </summary>
internal static class Bands
{
    /// <summary>For every row <c>o &lt; outer</c>: <c>dst[o, dstAt .. dstAt+n) = src[o, srcAt .. srcAt+n)</c>.</summary>
    public static void Copy<T>(ReadOnlySpan<T> src, int srcWidth, int srcAt, Span<T> dst, int dstWidth, int dstAt, int n, int outer)
    {
        if (n == 0) return;
        for (var o = 0; o < outer; o++)
            src.Slice(o * srcWidth + srcAt, n).CopyTo(dst.Slice(o * dstWidth + dstAt, n));
    }
}
