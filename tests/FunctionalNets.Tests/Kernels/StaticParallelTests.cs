using FunctionalNets.Kernels;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class StaticParallelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void For_runs_every_part_exactly_once(int parts)
    {
        var counts = new int[parts];
        StaticParallel.For(parts, new Count(counts));
        Assert.All(counts, c => Assert.Equal(1, c));
    }

    [Fact]
    public void For_from_several_threads_at_once_runs_each_callers_parts_once()
    {
        var counts = Enumerable.Range(0, 8).Select(_ => new int[5]).ToArray();
        var callers = counts.Select(c => new Thread(() =>
        {
            for (var rep = 0; rep < 200; rep++) StaticParallel.For(5, new Count(c));
        })).ToArray();
        foreach (var t in callers) t.Start();
        foreach (var t in callers) t.Join();
        Assert.All(counts, c => Assert.All(c, n => Assert.Equal(200, n)));
    }

    [Fact]
    public void Many_tiny_jobs_from_several_callers_each_run_every_part_once_before_returning()
    {
        // Each call counts into a fresh array and checks it the moment For returns: a part run twice, or a call
        // that returns while one of its parts is still running, shows up as a count other than 1.
        var errors = new int[1];
        var callers = Enumerable.Range(0, 4).Select(c => new Thread(() =>
        {
            for (var rep = 0; rep < 2_000; rep++)
            {
                var counts = new int[2 + (rep + c) % 7];
                StaticParallel.For(counts.Length, new Count(counts));
                if (counts.Any(n => Volatile.Read(ref n) != 1)) Interlocked.Increment(ref errors[0]);
            }
        })).ToArray();
        foreach (var t in callers) t.Start();
        foreach (var t in callers) t.Join();
        Assert.Equal(0, errors[0]);
    }

    [Fact]
    public void Parts_of_a_job_run_on_a_worker_when_the_pool_is_free()
    {
        // Each part waits (up to two seconds) until both have started, so the caller cannot take both itself while a
        // worker is waking: the scope then counts the part the worker ran.
        using var scope = Compute.WithThreads(2);
        StaticParallel.For(2, new Rendezvous(new int[1]));
        Assert.Equal(1, scope.PartsOnWorkers);
    }

    [Fact]
    public void For_nested_in_a_part_runs_the_inner_parts_inline()
    {
        var counts = new int[3 * 4];
        StaticParallel.For(3, new Nested(counts));
        Assert.All(counts, c => Assert.Equal(1, c));
    }

    [Fact]
    public void For_rethrows_a_parts_exception_and_keeps_working()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => StaticParallel.For(4, new Throwing(2)));
        Assert.Equal("part 2", ex.Message);
        var counts = new int[4];
        StaticParallel.For(4, new Count(counts));
        Assert.All(counts, c => Assert.Equal(1, c));
    }

    // Counts part p into slot offset + p.
    private readonly struct Count(int[] counts, int offset = 0) : IPartWork
    {
        public void Run(int part, int parts) => Interlocked.Increment(ref counts[offset + part]);
    }

    // Part p runs an inner 4-part loop counting into slots 4p … 4p+3.
    private readonly struct Nested(int[] counts) : IPartWork
    {
        public void Run(int part, int parts) => StaticParallel.For(4, new Count(counts, 4 * part));
    }

    // Counts itself in, then waits until every part has started or the time is up.
    private readonly struct Rendezvous(int[] started) : IPartWork
    {
        public void Run(int part, int parts)
        {
            Interlocked.Increment(ref started[0]);
            var deadline = Environment.TickCount64 + 2_000;
            while (Volatile.Read(ref started[0]) < parts && Environment.TickCount64 < deadline) Thread.Yield();
        }
    }

    private readonly struct Throwing(int failing) : IPartWork
    {
        public void Run(int part, int parts)
        {
            if (part == failing) throw new InvalidOperationException($"part {part}");
        }
    }
}
