using System.Runtime.InteropServices;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Kernels;

/// <summary>Runs code at every vector width this machine has (512, 256, 128 bits) and compares the results bit for bit.</summary>
internal static class AtEveryWidth
{
    /// <summary>The widths the kernels can be forced to here, widest first.</summary>
    public static readonly int[] Widths = [.. new[] { 512, 256, 128 }.Where(bits => VectorWidth.Unavailable(bits) is null)];

    /// <summary>The result of <paramref name="run"/> at each width in <see cref="Widths"/>.</summary>
    public static (int Bits, TResult Result)[] Run<TResult>(Func<TResult> run) =>
        [.. Widths.Select(bits =>
        {
            using var scope = VectorWidth.Use(bits);
            return (bits, run());
        })];

    /// <summary>Asserts that every width's buffers hold the same bytes as the widest width's.</summary>
    public static void AssertSameBits<T>(string what, Func<T[][]> run)
        where T : unmanaged
    {
        var results = Run(run);
        var (widest, expected) = results[0];
        foreach (var (bits, actual) in results[1..])
        {
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                var e = MemoryMarshal.AsBytes(expected[i].AsSpan());
                var a = MemoryMarshal.AsBytes(actual[i].AsSpan());
                Assert.True(e.SequenceEqual(a), $"{what}: output {i} at {bits} bits differs from {widest} bits (first byte at {e.CommonPrefixLength(a)})");
            }
        }
    }

    /// <summary><see cref="AssertSameBits{T}(string, Func{T[][]})"/> for tensors.</summary>
    public static void AssertSameBits<T>(string what, Func<Tensor<T>[]> run)
        where T : unmanaged, System.Numerics.INumber<T> =>
        AssertSameBits(what, () => run().Select(t => t.ToArray()).ToArray());
}
