using FunctionalNets.Kernels;

namespace FunctionalNets.Tests.Kernels;

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

    private readonly struct Throwing(int failing) : IPartWork
    {
        public void Run(int part, int parts)
        {
            if (part == failing) throw new InvalidOperationException($"part {part}");
        }
    }
}
