using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// Elementwise sums and scalings of long buffers, split into contiguous blocks across threads (parameter-sized
/// updates are memory-bound, and two cores stream faster than one). Elements are independent, so the split never
/// changes a result: each is the same single IEEE operation whichever thread computes it.
/// </summary>
internal static unsafe class Wide
{
    private const int Block = 16 * 1024;

    /// <summary><c>y = a + b</c>.</summary>
    public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged, INumber<T>
    {
        if (a.Length != y.Length || b.Length != y.Length)
            throw new ArgumentException($"Wide.Add: lengths {a.Length}, {b.Length} and {y.Length} differ");
        fixed (T* pa = a, pb = b, py = y)
            Partition.For(BlockCount(y.Length), Block, new Blocks<T>(pa, pb, default, py, y.Length));
    }

    /// <summary><c>y = factor·x</c>.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> x, T factor, Span<T> y)
        where T : unmanaged, INumber<T>
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"Wide.Multiply: lengths {x.Length} and {y.Length} differ");
        fixed (T* px = x, py = y)
            Partition.For(BlockCount(y.Length), Block, new Blocks<T>(px, null, factor, py, y.Length));
    }

    private static int BlockCount(int n) => (n + Block - 1) / Block;

    /// <summary>Blocks [start, end): <c>a + b</c> when b is given, else <c>factor·a</c>.</summary>
    private readonly struct Blocks<T>(T* a, T* b, T factor, T* y, int n) : IRangeBody
        where T : unmanaged, INumber<T>
    {
        public void Run(int start, int end)
        {
            var (lo, hi) = (start * Block, Math.Min(n, end * Block));
            ReadOnlySpan<T> ar = new(a + lo, hi - lo);
            Span<T> yr = new(y + lo, hi - lo);
            if (b is null) TensorPrimitives.Multiply(ar, factor, yr);
            else TensorPrimitives.Add(ar, new ReadOnlySpan<T>(b + lo, hi - lo), yr);
        }
    }
}
