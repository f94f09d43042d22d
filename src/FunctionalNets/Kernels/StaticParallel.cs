using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace FunctionalNets.Kernels;

/// <summary>One piece of work split into a fixed number of parts, each independent of the others.</summary>
internal interface IPartWork
{
    /// <summary>Does part <paramref name="part"/> of <paramref name="parts"/> (0 ≤ part &lt; parts).</summary>
    void Run(int part, int parts);
}

/// <summary>
/// A parallel for over a static partition, run by the calling thread and persistent worker threads: part p of P
/// always covers the same data whatever thread runs it, so results never depend on scheduling.
/// </summary>
/// <remarks>
/// Why not <see cref="Parallel.For(int, int, Action{int})"/>: on the sub-millisecond products of a training step,
/// waking a thread-pool thread and the fork/join bookkeeping cost as much as the work. The workers here spin briefly
/// after each job (a training step issues the next product within microseconds) and then block, so an idle process
/// burns no core. Parts are claimed one at a time by whoever is free, so a worker descheduled by a busy machine
/// delays nothing: the caller takes its part. One caller at a time owns the workers; a concurrent or nested
/// caller runs its parts inline.
/// </remarks>
internal static class StaticParallel
{
    // How long an idle worker keeps polling for the next job before it blocks (≈ a few small products).
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;

    private static readonly object Gate = new();
    private static readonly int WorkerCount = Environment.ProcessorCount - 1;
    private static bool started;
    private static int busy;      // 1 while a caller owns the workers
    private static long claims;   // job generation (high 32 bits) and parts claimed so far (low 32 bits)
    private static int completed; // parts of the current job finished
    private static int sleepers;  // workers blocked on Gate
    private static int partCount;
    private static Action<int, int>? current;
    private static Exception? failure;

    /// <summary>
    /// Runs <c>work.Run(p, parts)</c> for every p in 0 … parts−1, each exactly once, on the calling thread and up to
    /// <see cref="Environment.ProcessorCount"/> − 1 workers, and returns when all are done.
    /// </summary>
    public static void For<TWork>(int parts, TWork work)
        where TWork : struct, IPartWork
    {
        if (parts <= 1 || WorkerCount == 0 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            for (var p = 0; p < parts; p++) work.Run(p, parts);
            return;
        }
        try
        {
            StartWorkers();
            Slot<TWork>.Work = work;
            (current, partCount, completed, failure) = (Slot<TWork>.Run, parts, 0, null);
            // Publishing the new generation with a full fence pairs with a worker's Interlocked sleepers++.
            var generation = (int)(Volatile.Read(ref claims) >> 32) + 1;
            Interlocked.Exchange(ref claims, (long)generation << 32);
            if (Volatile.Read(ref sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);
            RunClaimed(generation, parts, Slot<TWork>.Run);
            var wait = new SpinWait();
            while (Volatile.Read(ref completed) < parts) wait.SpinOnce(sleep1Threshold: -1);
            Slot<TWork>.Work = default;
            if (failure is { } error) ExceptionDispatchInfo.Throw(error);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    // Claims and runs parts of job `generation` until none is left. A claim succeeds only while that job is
    // unfinished, so the caller cannot yet be overwriting the job's fields that were read before it.
    private static void RunClaimed(int generation, int parts, Action<int, int> run)
    {
        while (true)
        {
            var state = Volatile.Read(ref claims);
            var part = (int)state;
            if ((int)(state >> 32) != generation || part >= parts) return;
            if (Interlocked.CompareExchange(ref claims, state + 1, state) != state) continue;
            try
            {
                run(part, parts);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
            finally
            {
                Interlocked.Increment(ref completed);
            }
        }
    }

    // Called only by the owner of the workers; workers never exit.
    private static void StartWorkers()
    {
        if (started) return;
        for (var i = 1; i <= WorkerCount; i++)
            new Thread(Work) { IsBackground = true, Name = $"FunctionalNets worker {i}" }.Start();
        started = true;
    }

    private static void Work()
    {
        var seen = 0;
        while (true)
        {
            seen = AwaitJob(seen);
            RunClaimed(seen, partCount, current!);
        }
    }

    private static int Generation => (int)(Volatile.Read(ref claims) >> 32);

    // Polls for a generation after `seen` for SpinTicks, then blocks until one is published.
    private static int AwaitJob(int seen)
    {
        var deadline = Stopwatch.GetTimestamp() + SpinTicks;
        while (Generation == seen)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                lock (Gate)
                {
                    Interlocked.Increment(ref sleepers);
                    while (Generation == seen) Monitor.Wait(Gate);
                    Interlocked.Decrement(ref sleepers);
                }
            else
                Thread.SpinWait(20);
        }
        return Generation;
    }

    // The work of the current job, stored per type so publishing it needs no allocation.
    private static class Slot<TWork>
        where TWork : struct, IPartWork
    {
        public static TWork Work;
        public static readonly Action<int, int> Run = static (p, parts) => Work.Run(p, parts);
    }
}
