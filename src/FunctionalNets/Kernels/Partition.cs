namespace FunctionalNets.Kernels;

/// <summary>Computes items [start, end) of a job whose items are independent of one another.</summary>
internal interface IRangeBody
{
    void Run(int start, int end);
}

/// <summary>A range body written once over the vector type; <see cref="AtWidth"/> runs it at the width in force.</summary>
internal interface IVectorRangeBody<T>
    where T : unmanaged
{
    void Run<TV>(int start, int end)
        where TV : unmanaged, ISimd<TV, T>;
}

/// <summary>Runs an <see cref="IVectorRangeBody{T}"/> with the bodies of the <see cref="VectorWidth"/> in force.</summary>
internal static class AtWidth
{
    public static void Run<TBody, T>(in TBody body, int start, int end)
        where TBody : struct, IVectorRangeBody<T>
        where T : unmanaged
    {
        switch (VectorWidth.Current)
        {
            case 512: body.Run<V512<T>>(start, end); break;
            case 256: body.Run<V256<T>>(start, end); break;
            default: body.Run<V128<T>>(start, end); break;
        }
    }
}

/// <summary>
/// Runs a job of independent items on up to <see cref="Compute.Threads"/> threads (<see cref="StaticParallel"/>'s
/// workers), each part one contiguous static range. An item is computed by the same code whichever part it lands
/// in, so results never depend on the thread count.
/// </summary>
internal static class Partition
{
    // Below about this many element operations per thread, forking (a few µs) costs more than it saves.
    internal const long MinWorkPerThread = 1 << 16;

    /// <summary>Runs <paramref name="body"/> over <c>[0, items)</c>; <paramref name="workPerItem"/> (element operations) decides how many threads pay off.</summary>
    public static void For<TBody>(int items, long workPerItem, TBody body)
        where TBody : struct, IRangeBody
    {
        // The thread budget is a scoped value (a lookup in the execution context): a job too small to fork never reads it.
        var byWork = (long)items * workPerItem / MinWorkPerThread;
        var threads = byWork <= 1 ? 1 : (int)Math.Min(Math.Min(Compute.Threads, items), byWork);
        if (threads <= 1)
        {
            body.Run(0, items);
            return;
        }
        StaticParallel.For(threads, new Parts<TBody>(body, items, VectorWidth.Current));
    }

    /// <summary>Part p of P runs items [items·p/P, items·(p + 1)/P) at the caller's vector width, whichever thread runs it.</summary>
    private readonly struct Parts<TBody>(TBody body, int items, int width) : IPartWork
        where TBody : struct, IRangeBody
    {
        public void Run(int part, int parts)
        {
            using var scope = VectorWidth.Carry(width);
            body.Run((int)((long)items * part / parts), (int)((long)items * (part + 1) / parts));
        }
    }
}

/// <summary>
/// <c>Items</c> cut into parts that shrink toward the end (guided scheduling): each part takes 1/(2·threads) of the
/// items the parts before it left, at least <c>MinItems</c> (the last part may be smaller). Claimed in order by
/// whichever thread is free, the large parts come first and the small last ones let the threads finish together.
/// The cut depends only on the three numbers, never on which thread claims what.
/// </summary>
internal readonly record struct GuidedParts(int Items, int Threads, int MinItems)
{
    /// <summary>How many parts there are.</summary>
    public int Count
    {
        get
        {
            var (lo, count) = (0, 0);
            for (; lo < Items; count++) lo = Next(lo);
            return count;
        }
    }

    /// <summary>Part <paramref name="part"/>'s items, [Lo, Hi).</summary>
    public (int Lo, int Hi) this[int part]
    {
        get
        {
            var lo = 0;
            for (var p = 0; p < part; p++) lo = Next(lo);
            return (lo, Next(lo));
        }
    }

    private int Next(int lo) => Math.Min(Items, lo + Math.Max(MinItems, (Items - lo + 2 * Threads - 1) / (2 * Threads)));
}
