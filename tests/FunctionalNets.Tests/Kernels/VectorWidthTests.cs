using FunctionalNets.Kernels;

namespace FunctionalNets.Tests.Kernels;

[Collection(ExclusivePool.Name)]
public class VectorWidthTests
{
    [Fact]
    public void A_scope_forces_the_width_and_restores_the_previous_one()
    {
        var outside = VectorWidth.Current;
        using (VectorWidth.Use(128))
        {
            Assert.Equal(128, VectorWidth.Current);
            using (VectorWidth.Use(VectorWidth.Widest))
                Assert.Equal(VectorWidth.Widest, VectorWidth.Current);
            Assert.Equal(128, VectorWidth.Current);
        }
        Assert.Equal(outside, VectorWidth.Current);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    public void Widths_other_than_128_256_512_are_rejected_with_the_width(int bits)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => VectorWidth.Use(bits));
        Assert.Contains($"VectorWidth: the vector width must be 128, 256 or 512 bits, got {bits}", ex.Message);
    }

    [Fact]
    public void Widths_beyond_the_hardware_are_rejected_naming_the_widest()
    {
        foreach (var bits in new[] { 256, 512 }.Where(b => b > VectorWidth.Widest && !(b == 512 && VectorWidth.Emulates512)))
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => VectorWidth.Use(bits));
            Assert.Contains($"at most {VectorWidth.Widest}-bit vectors natively, not {bits}", ex.Message);
        }
        Assert.Null(VectorWidth.Unavailable(128));
        Assert.Null(VectorWidth.Unavailable(VectorWidth.Widest));
    }

    /// <summary>
    /// Where the machine has no AVX-512, <c>FNETS_EMULATE_512=1</c> (CI's third pass) lets tests force 512 bits, so the
    /// 512-bit bodies' bits are checked here too; without it, or on an AVX-512 machine, nothing is emulated.
    /// </summary>
    [Fact]
    public void Emulated_512_bits_are_forced_only_when_asked_for_and_said_so()
    {
        var asked = Environment.GetEnvironmentVariable(VectorWidth.EmulateVariable) == "1";
        Assert.Equal(asked && VectorWidth.Widest < 512, VectorWidth.Emulates512);
        if (!VectorWidth.Emulates512) return;
        Assert.Contains(512, AtEveryWidth.Widths);
        using var scope = VectorWidth.Use(512);
        Assert.StartsWith($"kernels 512-bit, emulated in software (widest native {VectorWidth.Widest}-bit", VectorWidth.Describe());
    }

    [Fact]
    public void The_environment_variable_is_read_as_a_width_or_an_error_naming_it()
    {
        Assert.Equal((VectorWidth.Widest, null), VectorWidth.FromEnvironment(null));
        Assert.Equal((128, null), VectorWidth.FromEnvironment("128"));
        Assert.Equal("FNETS_VECTOR_WIDTH=wide: expected 128, 256 or 512", VectorWidth.FromEnvironment("wide").Error);
        Assert.Equal("FNETS_VECTOR_WIDTH=96: the vector width must be 128, 256 or 512 bits, got 96", VectorWidth.FromEnvironment("96").Error);
    }

    [Fact]
    public void Parallel_parts_run_at_the_callers_width_on_worker_threads()
    {
        // A scope lives on the caller's logical flow; Partition carries it to the workers with each job.
        var seen = new int[64];
        OnThreads.Run(2, () =>
        {
            using var scope = VectorWidth.Use(128);
            Array.Clear(seen);
            Partition.For(seen.Length, 1 << 20, new RecordWidth(seen));
            return 0;
        });
        Assert.All(seen, bits => Assert.Equal(128, bits));
    }

    [Fact]
    public void Describe_names_the_kernels_width_and_the_hardwares()
    {
        using var scope = VectorWidth.Use(128);
        Assert.StartsWith($"kernels 128-bit (widest native {VectorWidth.Widest}-bit", VectorWidth.Describe());
    }

    private readonly struct RecordWidth(int[] seen) : IRangeBody
    {
        public void Run(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                Thread.SpinWait(2_000); // long enough that a sleeping worker wakes before the caller has run every part
                seen[i] = VectorWidth.Current;
            }
        }
    }
}
