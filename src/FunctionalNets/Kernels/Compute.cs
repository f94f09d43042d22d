namespace FunctionalNets.Kernels;

/// <summary>
/// How many threads the kernels may use, as a scoped value: <c>using var scope = Compute.WithThreads(2);</c> sets it
/// for the code that runs inside the scope on this logical flow (it follows <c>await</c>), and for nothing else, so
/// two tests or two runs in one process cannot change each other's setting. Results never depend on it: every
/// kernel partitions over outputs and reduces in a fixed order.
/// </summary>
public static class Compute
{
    private static readonly AsyncLocal<ComputeScope?> Scope = new();

    /// <summary>The thread budget in force here: the innermost scope's, or the processor count outside any scope.</summary>
    public static int Threads => Scope.Value?.Threads ?? Environment.ProcessorCount;

    /// <summary>A scope in which kernels use up to <paramref name="threads"/> threads (≥ 1); disposing it restores the previous budget.</summary>
    public static ComputeScope WithThreads(int threads)
    {
        if (threads < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, $"Compute.WithThreads: the thread count must be at least 1, got {threads}");
        var scope = new ComputeScope(threads, Scope.Value);
        Scope.Value = scope;
        return scope;
    }

    internal static ComputeScope? Current => Scope.Value;

    internal static void Restore(ComputeScope? previous) => Scope.Value = previous;
}

/// <summary>A thread budget in force until disposed; it also counts the parts its kernels ran on worker threads.</summary>
public sealed class ComputeScope : IDisposable
{
    private readonly ComputeScope? previous;
    private long workerParts;
    private bool disposed;

    internal ComputeScope(int threads, ComputeScope? previous) => (Threads, this.previous) = (threads, previous);

    /// <summary>The most threads one kernel may use inside this scope.</summary>
    public int Threads { get; }

    /// <summary>
    /// How many parts of parallel kernels started inside this scope (or a scope nested in it) ran on a worker thread rather than the caller:
    /// zero means everything ran on one thread (a test that compares thread counts checks it is positive).
    /// </summary>
    public long PartsOnWorkers => Interlocked.Read(ref workerParts);

    // Counted in this scope and every scope it is nested in, so an outer scope sees the parts of inner ones.
    internal void CountWorkerPart()
    {
        for (var scope = this; scope is not null; scope = scope.previous)
            Interlocked.Increment(ref scope.workerParts);
    }

    /// <summary>Restores the budget that was in force when this scope was made.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Compute.Restore(previous);
    }
}
