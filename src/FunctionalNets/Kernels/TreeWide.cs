using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Kernels;

/// <summary>
/// Elementwise sums and scalings of a whole list of buffers (the tensors of a parameter tree) as one job of
/// 4,096-element chunks split across threads, so a tree of many small tensors forks once and still uses every thread
/// (parameter-sized updates are memory-bound). Elements are independent, so the split never changes a result: each is the same
/// single IEEE operation whichever thread computes it.
/// </summary>
internal static class TreeWide
{
    private const int Chunk = 4096;

    /// <summary><c>y[i] = a[i] + b[i]</c> for each buffer <c>i</c>; the buffers of <paramref name="y"/> have the inputs' lengths.</summary>
    public static void Add<T>(ReadOnlyMemory<T>[] a, ReadOnlyMemory<T>[] b, T[][] y)
        where T : unmanaged, INumber<T> => For(y, new Sum<T>(a, b, y));

    /// <summary><c>y[i] = factor·x[i]</c> for each buffer <c>i</c>; the buffers of <paramref name="y"/> have the inputs' lengths.</summary>
    public static void Multiply<T>(ReadOnlyMemory<T>[] x, T factor, T[][] y)
        where T : unmanaged, INumber<T> => For(y, new Scaled<T>(x, factor, y));

    /// <summary>Whether a job over this many elements in all is split across threads; a smaller one runs on the calling thread.</summary>
    public static bool Forks(long elements) => elements >= 2 * Partition.MinWorkPerThread && Compute.Threads > 1; // the size first: the budget is a lookup

    // Chunk c of the job is chunk c − starts[i] of buffer i, for the i with starts[i] ≤ c < starts[i + 1]. The threads
    // are chosen by the elements, not the chunks: a tree of many small tensors has many short chunks.
    private static void For<T, TSlice>(T[][] y, TSlice slice)
        where TSlice : struct, ISlice
    {
        var (starts, lengths, elements) = (new int[y.Length + 1], new int[y.Length], 0L);
        for (var i = 0; i < y.Length; i++)
        {
            (lengths[i], starts[i + 1]) = (y[i].Length, starts[i] + (y[i].Length + Chunk - 1) / Chunk);
            elements += y[i].Length;
        }
        var chunks = starts[^1];
        if (chunks == 0) return;
        Partition.For(chunks, (elements + chunks - 1) / chunks, new Chunks<TSlice>(starts, lengths, slice));
    }

    /// <summary>Elements [lo, hi) of buffer <c>i</c>.</summary>
    private interface ISlice
    {
        void Run(int i, int lo, int hi);
    }

    private readonly struct Sum<T>(ReadOnlyMemory<T>[] a, ReadOnlyMemory<T>[] b, T[][] y) : ISlice
        where T : unmanaged, INumber<T>
    {
        public void Run(int i, int lo, int hi) => TensorPrimitives.Add(a[i].Span[lo..hi], b[i].Span[lo..hi], y[i].AsSpan(lo..hi));
    }

    private readonly struct Scaled<T>(ReadOnlyMemory<T>[] x, T factor, T[][] y) : ISlice
        where T : unmanaged, INumber<T>
    {
        public void Run(int i, int lo, int hi) => TensorPrimitives.Multiply(x[i].Span[lo..hi], factor, y[i].AsSpan(lo..hi));
    }

    /// <summary>Chunks [start, end) of the job, run buffer by buffer.</summary>
    private readonly struct Chunks<TSlice>(int[] starts, int[] lengths, TSlice slice) : IRangeBody
        where TSlice : struct, ISlice
    {
        public void Run(int start, int end)
        {
            for (var (c, i) = (start, 0); c < end; i++)
            {
                if (starts[i + 1] <= c) continue; // buffer i ends before c (or is empty)
                var stop = Math.Min(end, starts[i + 1]);
                slice.Run(i, (c - starts[i]) * Chunk, Math.Min(lengths[i], (stop - starts[i]) * Chunk));
                c = stop;
            }
        }
    }
}
