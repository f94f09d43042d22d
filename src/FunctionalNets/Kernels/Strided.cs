namespace FunctionalNets.Kernels;

/// <summary>
/// An elementwise binary op at row granularity: two rows, or a row and one value stretched along it. The
/// broadcasting driver picks the overload from the operands' innermost strides (1 = a row, 0 = one value).
/// </summary>
internal interface IBroadcastOp<T>
{
    static abstract void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y);
    static abstract void Invoke(ReadOnlySpan<T> a, T b, Span<T> y);
    static abstract void Invoke(T a, ReadOnlySpan<T> b, Span<T> y);
}

/// <summary>
/// Walks the rows of a row-major index space (every axis but the last) in order, keeping the element offsets of
/// two strided operands up to date. A stride of 0 on an axis means the operand is stretched along it.
/// </summary>
internal ref struct Odometer
{
    private readonly ReadOnlySpan<int> dims, strides1, strides2;
    private readonly Span<int> index;

    /// <summary>Offset of the current row's first element in the first operand.</summary>
    public int Offset1;

    /// <summary>Offset of the current row's first element in the second operand.</summary>
    public int Offset2;

    /// <param name="dims">The index space, outermost first.</param>
    /// <param name="strides1">The first operand's strides per axis.</param>
    /// <param name="strides2">The second operand's strides per axis.</param>
    /// <param name="index">Scratch for the multi-index, at least <c>dims.Length</c> long.</param>
    public Odometer(ReadOnlySpan<int> dims, ReadOnlySpan<int> strides1, ReadOnlySpan<int> strides2, Span<int> index)
    {
        this.dims = dims;
        this.strides1 = strides1;
        this.strides2 = strides2;
        this.index = index;
        index.Clear();
    }

    /// <summary>Steps to the next row: increments the multi-index over axes 0 … rank−2, last axis fastest.</summary>
    public void Next()
    {
        for (var axis = dims.Length - 2; axis >= 0; axis--)
        {
            Offset1 += strides1[axis];
            Offset2 += strides2[axis];
            if (++index[axis] < dims[axis]) return;
            Offset1 -= strides1[axis] * dims[axis];
            Offset2 -= strides2[axis] * dims[axis];
            index[axis] = 0;
        }
    }
}

/// <summary>Kernels over strided (broadcast) views of contiguous buffers, one row at a time.</summary>
internal static class Strided
{
    /// <summary>
    /// <c>y = op(a, b)</c> where y is contiguous over <paramref name="dims"/> and a, b are read through their
    /// strides (0 on stretched axes). Each row of y is one call of the op's row kernel.
    /// </summary>
    public static void Binary<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y,
        ReadOnlySpan<int> dims, ReadOnlySpan<int> aStrides, ReadOnlySpan<int> bStrides)
        where TOp : IBroadcastOp<T>
    {
        var n = dims[^1];
        var (aRow, bRow) = (aStrides[^1] != 0, bStrides[^1] != 0);
        var walk = new Odometer(dims, aStrides, bStrides, stackalloc int[dims.Length]);
        for (var row = 0; row < y.Length; row += n, walk.Next())
        {
            var yr = y.Slice(row, n);
            if (!aRow) TOp.Invoke(a[walk.Offset1], b.Slice(walk.Offset2, n), yr);
            else if (!bRow) TOp.Invoke(a.Slice(walk.Offset1, n), b[walk.Offset2], yr);
            else TOp.Invoke(a.Slice(walk.Offset1, n), b.Slice(walk.Offset2, n), yr);
        }
    }

    /// <summary>Copies x, read through its strides (0 on stretched axes), into the contiguous y over <paramref name="dims"/>.</summary>
    public static void Expand<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<int> dims, ReadOnlySpan<int> xStrides)
    {
        var n = dims[^1];
        var xRow = xStrides[^1] != 0;
        var walk = new Odometer(dims, xStrides, xStrides, stackalloc int[dims.Length]);
        for (var row = 0; row < y.Length; row += n, walk.Next())
        {
            var yr = y.Slice(row, n);
            if (xRow) x.Slice(walk.Offset1, n).CopyTo(yr);
            else yr.Fill(x[walk.Offset1]);
        }
    }
}
