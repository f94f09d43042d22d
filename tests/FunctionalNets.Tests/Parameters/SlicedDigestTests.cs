using CsCheck;
using FunctionalNets.Kernels;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Tests.Kernels;

namespace FunctionalNets.Tests.Parameters;

[Collection(ExclusivePool.Name)]
public class SlicedDigestTests
{
    // Trees of up to five tensors, empty ones and ones of several 16 KiB slices included.
    private static readonly Gen<Params<float>> Trees =
        Gen.Int[0, 5].SelectMany(count => Gen.Int[0, 20_000].Array[count], (count, sizes) => sizes)
            .Select(sizes => sizes.Select((size, i) => ($"layer{i}/w", Sample.Normal<float>(Key.FromSeed((ulong)(size + 7 * i)), [size])))
                .Aggregate(Params<float>.Empty, (tree, p) => tree.With(p.Item1, p.Item2)));

    [Fact]
    public void Any_number_of_slices_before_completing_gives_the_trees_digest() =>
        Gen.Select(Trees, Gen.Int[0, 12]).Sample((tree, slices) =>
        {
            using var digest = new SlicedDigest<float>(tree);
            for (var i = 0; i < slices; i++) digest.RunSlice();
            Assert.Equal(tree.Digest(), digest.Complete());
            Assert.False(digest.RunSlice()); // everything was fed
            Assert.Equal(tree.Digest(), digest.Complete()); // and asking again gives the same
        }, iter: 60);

    [Fact]
    public void Slices_fed_from_several_threads_at_once_give_the_trees_digest()
    {
        var tree = Params<float>.Empty
            .With("a", Sample.Normal<float>(Key.FromSeed(1), [100_000]))
            .With("b", Sample.Normal<float>(Key.FromSeed(2), [3, 5]))
            .With("c", Sample.Normal<float>(Key.FromSeed(3), [70_000]));
        for (var round = 0; round < 20; round++)
        {
            using var digest = new SlicedDigest<float>(tree);
            Parallel.For(0, 4, _ =>
            {
                for (var i = 0; i < 50; i++) digest.RunSlice();
            });
            Assert.Equal(tree.Digest(), digest.Complete());
        }
    }

    [Fact]
    public void After_disposal_a_slice_does_nothing_and_completing_is_refused()
    {
        var digest = new SlicedDigest<float>(Params<float>.Empty.With("w", Tensor.Vector(1f, 2f)));
        digest.Dispose();
        Assert.False(digest.RunSlice()); // a pool thread that saw the work before it was withdrawn comes to no harm
        Assert.Throws<ObjectDisposedException>(() => digest.Complete());
    }

    // Slices of about a microsecond each, counted, and counted again when a pool worker ran them.
    private sealed class CountedSlices(int total) : IIdleWork
    {
        private int done, byWorkers;

        public int Done => Volatile.Read(ref done);

        public int ByWorkers => Volatile.Read(ref byWorkers);

        public bool RunSlice()
        {
            while (true)
            {
                var seen = Volatile.Read(ref done);
                if (seen == total) return false;
                if (Interlocked.CompareExchange(ref done, seen + 1, seen) != seen) continue;
                Thread.SpinWait(100);
                if (Thread.CurrentThread.Name?.StartsWith("FunctionalNets worker", StringComparison.Ordinal) == true)
                    Interlocked.Increment(ref byWorkers);
                return true;
            }
        }
    }

    [Fact]
    public void A_worker_waiting_for_its_next_job_does_the_offered_work_and_jobs_keep_their_bits()
    {
        var x = Sample.Normal<float>(Key.FromSeed(5), [256, 256]);
        var alone = OnThreads.Run(2, () => FunctionalNets.Ops.MatMul.Forward(x, x));
        var work = new CountedSlices(2_000);
        Assert.True(StaticParallel.OfferIdleWork(work));
        try
        {
            Assert.False(StaticParallel.OfferIdleWork(new CountedSlices(1))); // one piece of idle work at a time
            var alongside = OnThreads.Run(2, () => FunctionalNets.Ops.MatMul.Forward(x, x));
            Assert.True(alongside.BitEquals(alone));
            // The worker that took part keeps polling after its job, doing slices instead of spinning, until none is left.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (work.Done < 2_000 && DateTime.UtcNow < deadline) Thread.Sleep(1);
            Assert.Equal(2_000, work.Done);
            Assert.True(work.ByWorkers > 0, "no slice ran on a pool worker");
        }
        finally
        {
            StaticParallel.WithdrawIdleWork(work);
        }
        Assert.True(StaticParallel.OfferIdleWork(work)); // withdrawn, the place is free again
        StaticParallel.WithdrawIdleWork(work);
    }
}
