namespace FunctionalNets.Kernels;

/// <summary>In-place fills of the strictly upper triangle of square blocks (the future positions of a causal mask).</summary>
internal static class Triangle
{
    /// <summary>Sets <c>y[b, i, j] = value</c> for every <c>j &gt; i</c> of each consecutive n×n block of <paramref name="y"/>.</summary>
    public static void FillAbove<T>(Span<T> y, int n, T value)
    {
        if (n == 0) return;
        for (var b = 0; b < y.Length; b += n * n)
            for (var i = 0; i < n - 1; i++)
                y.Slice(b + i * n + i + 1, n - i - 1).Fill(value);
    }
}
