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
/// Background work done in short slices by the pool's threads while they would otherwise spin: a worker waiting for
/// the next job, a caller waiting for the workers to finish their parts. A slice must be short (tens of µs) and safe
/// to run on any of those threads, one at a time.
/// </summary>
internal interface IIdleWork
{
    /// <summary>Does one slice; false when there was nothing to do (finished, or another thread holds the work).</summary>
    bool RunSlice();
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
/// <para>
/// Memory-model argument. A job is one immutable object (work, part count) with its own claim and completion
/// counters, published through the single reference <see cref="current"/>. A worker reads that reference once and
/// from then on touches only that job's fields, so it can never mix one job's part count with another job's work:
/// every field it reads was written before the job was published (the interlocked exchange that publishes it is a
/// full fence), and fields are never rewritten. A part is claimed by an atomic increment of the job's own counter,
/// so each part runs exactly once; a worker that wakes late holding a finished job finds its counter past the end
/// and claims nothing. The caller returns only when the job's completion count reaches its part count, so no part
/// can still be running, and no thread reads the caller's pinned buffers after it returns.
/// </para>
/// </remarks>
internal static class StaticParallel
{
    // How long an idle worker keeps polling for the next job before it blocks: longer than the serial stretches of a
    // training step (a layer norm, an optimizer pass), so a worker is awake for the next product instead of being woken.
    private static readonly long SpinTicks = Stopwatch.Frequency / 1_000;

    private static readonly object Gate = new();
    private static readonly int WorkerCount = Environment.ProcessorCount - 1;
    private static bool started;
    private static int busy;      // 1 while a caller owns the workers
    private static int sleepers;  // workers blocked on Gate
    private static Job? current;  // the newest published job; workers run the parts it has left
    private static IIdleWork? idle; // what waiting threads do instead of spinning, if anything

    /// <summary>
    /// Makes <paramref name="work"/> what the pool's waiting threads do in slices until it is withdrawn; false (and
    /// nothing changes) while other work holds the place.
    /// </summary>
    public static bool OfferIdleWork(IIdleWork work) => Interlocked.CompareExchange(ref idle, work, null) is null;

    /// <summary>Withdraws <paramref name="work"/>; a slice already started on another thread may still be finishing.</summary>
    public static void WithdrawIdleWork(IIdleWork work) => Interlocked.CompareExchange(ref idle, null, work);

    private static bool RunIdleSlice() => Volatile.Read(ref idle) is { } work && work.RunSlice();

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
            var job = new Job<TWork>(work, parts, Compute.Current);
            // The exchange is a full fence: the job's fields are visible before it is, and the read of `sleepers`
            // below cannot move above it (it pairs with a worker's interlocked sleepers++ before its last check).
            Interlocked.Exchange(ref current, job);
            if (Volatile.Read(ref sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);
            job.RunClaimed(onWorker: false);
            var wait = new SpinWait();
            while (!job.Done)
                if (!RunIdleSlice()) wait.SpinOnce(sleep1Threshold: -1);
            if (job.Failure is { } error) ExceptionDispatchInfo.Throw(error);
        }
        finally
        {
            Volatile.Write(ref busy, 0);
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
        Job? seen = null;
        while (true)
        {
            seen = AwaitJob(seen);
            seen.RunClaimed(onWorker: true);
        }
    }

    // Polls for a job other than `seen` for SpinTicks, then blocks until one is published. A job object is never
    // reused, and `seen` keeps the old one alive, so a new job is never mistaken for the old one.
    private static Job AwaitJob(Job? seen)
    {
        var deadline = Stopwatch.GetTimestamp() + SpinTicks;
        while (Volatile.Read(ref current) == seen)
        {
            if (RunIdleSlice()) deadline = Stopwatch.GetTimestamp() + SpinTicks; // busy, not idle: keep polling
            else if (Stopwatch.GetTimestamp() > deadline)
                lock (Gate)
                {
                    Interlocked.Increment(ref sleepers);
                    while (Volatile.Read(ref current) == seen) Monitor.Wait(Gate);
                    Interlocked.Decrement(ref sleepers);
                }
            else
                Thread.SpinWait(20);
        }
        return Volatile.Read(ref current)!;
    }

    /// <summary>One published job: its part count is fixed, its counters belong to it alone.</summary>
    private abstract class Job(int parts, ComputeScope? scope)
    {
        private int claimed;
        private int completed;
        private Exception? failure;

        public bool Done => Volatile.Read(ref completed) == parts;

        public Exception? Failure => Volatile.Read(ref failure);

        protected abstract void Run(int part, int parts);

        // Claims and runs parts until none is left; a part's exception is kept for the caller.
        public void RunClaimed(bool onWorker)
        {
            int part;
            while ((part = Interlocked.Increment(ref claimed) - 1) < parts)
            {
                try
                {
                    Run(part, parts);
                    if (onWorker) scope?.CountWorkerPart();
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
    }

    private sealed class Job<TWork>(TWork work, int parts, ComputeScope? scope) : Job(parts, scope)
        where TWork : struct, IPartWork
    {
        protected override void Run(int part, int parts) => work.Run(part, parts);
    }
}
