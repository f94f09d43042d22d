namespace FunctionalNets.Kernels;

/// <summary>
/// Axis permutation of a row-major buffer: output axis k is input axis <c>perm[k]</c>. Before copying, axes of
/// size 1 are dropped and output axes that are also neighbours, in order, in the input are merged, so every
/// permutation reduces to one of three loops:
/// a plain copy (the identity), runs of contiguous elements (the innermost axis stays innermost, as in the
/// <c>[B,T,H,D] → [B,H,T,D]</c> head split), or a batch of tiled matrix transposes (the last two axes swap).
/// Anything else walks the output in order and gathers its innermost axis with a stride.
/// </summary>
internal static class Permute
{
    // Square tiles keep both the rows read and the rows written in cache during a transpose.
    private const int Tile = 32;

    /// <summary>Writes <c>y</c> (the output shape is <c>dims[perm[k]]</c> for k = 0 … rank−1) from <c>x</c> of shape <paramref name="dims"/>.</summary>
    public static void Run<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<int> dims, ReadOnlySpan<int> perm)
    {
        Span<int> cdims = stackalloc int[dims.Length];
        Span<int> cperm = stackalloc int[dims.Length];
        var rank = Coalesce(dims, perm, cdims, cperm);
        if (x.Length == 0) return;
        if (rank <= 1)
            x.CopyTo(y);
        else if (rank == 2 && cperm[0] == 1)
            Transpose(x, y, 1, cdims[0], cdims[1]);
        else if (rank == 3 && cperm[0] == 0 && cperm[1] == 2)
            Transpose(x, y, cdims[0], cdims[1], cdims[2]);
        else
            Strided(x, y, cdims[..rank], cperm[..rank]);
    }

    /// <summary>
    /// The same permutation on fewer axes: sizes in <paramref name="cdims"/> (input order) and the permutation in
    /// <paramref name="cperm"/>; returns the new rank.
    /// </summary>
    private static int Coalesce(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, Span<int> cdims, Span<int> cperm)
    {
        // Output order of the input axes longer than 1, each named by its input axis.
        Span<int> order = stackalloc int[dims.Length];
        var n = 0;
        foreach (var axis in perm)
            if (dims[axis] > 1) order[n++] = axis;
        // Groups: maximal runs of the output order that are consecutive input axes. A group is named by its first
        // input axis (in cperm for now) and has the product of its sizes.
        var groups = 0;
        for (var k = 0; k < n; k++)
        {
            if (k > 0 && order[k] == order[k - 1] + 1)
            {
                cdims[groups - 1] *= dims[order[k]];
                continue;
            }
            cperm[groups] = order[k];
            cdims[groups] = dims[order[k]];
            groups++;
        }
        // Renumber groups by input position: group g becomes input axis r(g) = how many groups start before it.
        Span<int> sizes = stackalloc int[groups];
        Span<int> inputAxis = stackalloc int[groups];
        for (var g = 0; g < groups; g++)
        {
            var before = 0;
            for (var h = 0; h < groups; h++)
                if (cperm[h] < cperm[g]) before++;
            inputAxis[g] = before;
            sizes[before] = cdims[g];
        }
        inputAxis.CopyTo(cperm);
        sizes.CopyTo(cdims);
        return groups;
    }

    /// <summary><paramref name="batch"/> matrices of <paramref name="rows"/>×<paramref name="cols"/>, each transposed, in tiles.</summary>
    private static void Transpose<T>(ReadOnlySpan<T> x, Span<T> y, int batch, int rows, int cols)
    {
        var m = rows * cols;
        for (var b = 0; b < batch; b++)
        {
            var xb = x.Slice(b * m, m);
            var yb = y.Slice(b * m, m);
            for (var i0 = 0; i0 < rows; i0 += Tile)
                for (var j0 = 0; j0 < cols; j0 += Tile)
                {
                    var (i1, j1) = (Math.Min(i0 + Tile, rows), Math.Min(j0 + Tile, cols));
                    for (var i = i0; i < i1; i++)
                        for (var j = j0; j < j1; j++)
                            yb[j * rows + i] = xb[i * cols + j];
                }
        }
    }

    /// <summary>The output in row-major order; the innermost output axis is a run (copied whole when contiguous in x).</summary>
    private static void Strided<T>(ReadOnlySpan<T> x, Span<T> y, ReadOnlySpan<int> dims, ReadOnlySpan<int> perm)
    {
        var rank = dims.Length;
        Span<int> inStride = stackalloc int[rank];
        inStride[rank - 1] = 1;
        for (var a = rank - 2; a >= 0; a--) inStride[a] = inStride[a + 1] * dims[a + 1];
        // Size and input stride of each output axis.
        Span<int> outDim = stackalloc int[rank];
        Span<int> step = stackalloc int[rank];
        for (var k = 0; k < rank; k++)
            (outDim[k], step[k]) = (dims[perm[k]], inStride[perm[k]]);
        var (n, stride) = (outDim[rank - 1], step[rank - 1]);
        Span<int> counter = stackalloc int[rank - 1];
        counter.Clear();
        var src = 0;
        for (var dst = 0; dst < y.Length; dst += n)
        {
            if (stride == 1)
                x.Slice(src, n).CopyTo(y.Slice(dst, n));
            else
                for (var j = 0; j < n; j++)
                    y[dst + j] = x[src + j * stride];
            // Odometer over the outer output axes, keeping src = Σ counter[k]·step[k].
            for (var k = rank - 2; k >= 0; k--)
            {
                src += step[k];
                if (++counter[k] < outDim[k]) break;
                src -= step[k] * outDim[k];
                counter[k] = 0;
            }
        }
    }
}
