namespace FunctionalNets.Kernels;

/// <summary>Computes items [start, end) of a job whose items are independent of one another.</summary>
internal interface IRangeBody
{
    void Run(int start, int end);
}

/// <summary>
/// Runs a job of independent items on up to <see cref="Gemm.MaxThreads"/> threads, each taking one contiguous
/// static part. An item is computed by the same code whichever part it lands in, so results never depend on the
/// thread count.
/// </summary>
internal static class Partition
{
    // Below about this many element operations per thread, forking (a few µs) costs more than it saves.
    private const long MinWorkPerThread = 1 << 16;

    /// <summary>Runs <paramref name="body"/> over <c>[0, items)</c>; <paramref name="workPerItem"/> (element operations) decides how many threads pay off.</summary>
    public static void For<TBody>(int items, long workPerItem, TBody body)
        where TBody : struct, IRangeBody
    {
        var threads = (int)Math.Min(Math.Min(Gemm.MaxThreads, items), (long)items * workPerItem / MinWorkPerThread);
        if (threads <= 1)
        {
            body.Run(0, items);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => body.Run((int)((long)items * t / threads), (int)((long)items * (t + 1) / threads)));
    }
}
