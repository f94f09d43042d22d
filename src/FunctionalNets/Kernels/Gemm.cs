using System.Numerics;

namespace FunctionalNets.Kernels;

/// <summary>General matrix multiply on row-major spans: <c>C = op(A)·op(B)</c>, optionally added to C.</summary>
internal static class Gemm
{
    /// <summary>
    /// C (m×n) = op(A)·op(B) where op(A) is m×k (A stored m×k, or k×m when <paramref name="transA"/>) and op(B)
    /// is k×n (B stored k×n, or n×k when <paramref name="transB"/>). Each C element sums over k in order.
    /// </summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n,
        bool transA = false, bool transB = false, bool accumulate = false)
        where T : unmanaged, INumber<T>
    {
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var sum = T.Zero;
                for (var p = 0; p < k; p++)
                    sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
    }
}
