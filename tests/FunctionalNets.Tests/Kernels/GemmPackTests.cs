using System.Numerics;
using FunctionalNets.Kernels;

namespace FunctionalNets.Tests.Kernels;

/// <summary>
/// The transposing packs against their definition at every width this machine has: the A sliver of a row-major A and
/// the B slivers of a transposed B, with partial slivers (fewer rows or columns than the tile) and depths that are
/// not a whole number of transpose blocks, and nothing written past the sliver and its slack.
/// </summary>
public class GemmPackTests
{
    private static readonly int[] Depths = [1, 3, 4, 5, 8, 9, 16, 17, 31];

    [Fact]
    public void A_row_major_sliver_holds_each_depth_step_as_a_row_of_the_tile()
    {
        foreach (var bits in AtEveryWidth.Widths)
        {
            PackA<float>(bits);
            PackA<double>(bits);
        }
    }

    [Fact]
    public void B_transposed_slivers_hold_each_depth_step_as_a_row_of_columns()
    {
        foreach (var bits in AtEveryWidth.Widths)
        {
            PackB<float>(bits);
            PackB<double>(bits);
        }
    }

    private static void PackA<T>(int bits)
        where T : unmanaged, INumber<T>
    {
        var mr = MrAt(bits);
        foreach (var kc in Depths)
            for (var rows = 1; rows <= mr; rows++)
            {
                // A is (rows + 2)×(kc + 3), ld = kc + 3; the sliver starts at row 1, column 2.
                var (ld, ir, pc) = (kc + 3, 1, 2);
                var a = Enumerable.Range(0, (rows + 2) * ld).Select(i => T.CreateTruncating(i + 1)).ToArray();
                var packed = Pack<T>(bits, mr * kc, (pa, dst) => PackAAt<T>(bits, pa, dst, new GemmShape(rows + ir, ld, 1, false, false, false), ir, rows, pc, kc), a);
                for (var p = 0; p < kc; p++)
                    for (var r = 0; r < mr; r++)
                    {
                        var expected = r < rows ? a[(ir + r) * ld + pc + p] : T.Zero;
                        Assert.True(expected == packed[p * mr + r], $"{typeof(T).Name} at {bits} bits, {rows} rows, kc={kc}: ap[{p}·{mr} + {r}] = {packed[p * mr + r]}, expected {expected}");
                    }
            }
    }

    private static void PackB<T>(int bits)
        where T : unmanaged, INumber<T>
    {
        var nr = 2 * bits / 8 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        foreach (var kc in Depths)
            foreach (var nc in (int[])[1, nr - 1, nr, nr + 3, 2 * nr + 1])
            {
                // B is stored n×k (transposed), ld = kc + 5 with n = nc + 1; the block starts at column 1 of op(B), row 4.
                var (ld, jc, pc) = (kc + 5, 1, 4);
                var b = Enumerable.Range(0, (nc + 1) * ld).Select(i => T.CreateTruncating(i + 1)).ToArray();
                var slivers = (nc + nr - 1) / nr;
                var packed = Pack<T>(bits, slivers * nr * kc, (pb, dst) => PackBAt<T>(bits, pb, dst, new GemmShape(1, ld, nc + 1, false, true, false), pc, kc, jc, nc), b);
                for (var s = 0; s < slivers; s++)
                    for (var p = 0; p < kc; p++)
                        for (var j = 0; j < nr; j++)
                        {
                            var col = s * nr + j;
                            var expected = col < nc ? b[(jc + col) * ld + pc + p] : T.Zero;
                            var actual = packed[s * kc * nr + p * nr + j];
                            Assert.True(expected == actual, $"{typeof(T).Name} at {bits} bits, nc={nc}, kc={kc}: sliver {s}, p={p}, j={j} = {actual}, expected {expected}");
                        }
            }
    }

    // Packs into a buffer filled with a sentinel and returns the first `length` elements, after checking that nothing
    // past length + Slack was written.
    private static unsafe T[] Pack<T>(int bits, int length, Action<nint, nint> pack, T[] source)
        where T : unmanaged, INumber<T>
    {
        var slack = GemmPack.Slack<T>();
        var sentinel = T.CreateTruncating(-7);
        var buffer = Enumerable.Repeat(sentinel, length + slack + 64).ToArray();
        fixed (T* src = source, dst = buffer)
            pack((nint)src, (nint)dst);
        for (var i = length + slack; i < buffer.Length; i++)
            Assert.True(buffer[i] == sentinel, $"{typeof(T).Name} at {bits} bits: element {i} past the sliver and its slack ({length} + {slack}) was written");
        return buffer[..length];
    }

    private static int MrAt(int bits) => bits switch
    {
        512 => GemmMicroKernel.Mr<V512<float>>(),
        256 => GemmMicroKernel.Mr<V256<float>>(),
        _ => GemmMicroKernel.Mr<V128<float>>(),
    };

    private static unsafe void PackAAt<T>(int bits, nint a, nint dst, GemmShape s, int ir, int rows, int pc, int kc)
        where T : unmanaged, INumber<T>
    {
        switch (bits)
        {
            case 512: GemmPack.A<V512<T>, T>((T*)a, (T*)dst, s, ir, rows, pc, kc); break;
            case 256: GemmPack.A<V256<T>, T>((T*)a, (T*)dst, s, ir, rows, pc, kc); break;
            default: GemmPack.A<V128<T>, T>((T*)a, (T*)dst, s, ir, rows, pc, kc); break;
        }
    }

    private static unsafe void PackBAt<T>(int bits, nint b, nint dst, GemmShape s, int pc, int kc, int jc, int nc)
        where T : unmanaged, INumber<T>
    {
        switch (bits)
        {
            case 512: GemmPack.B<V512<T>, T>((T*)b, (T*)dst, s, pc, kc, jc, nc); break;
            case 256: GemmPack.B<V256<T>, T>((T*)b, (T*)dst, s, pc, kc, jc, nc); break;
            default: GemmPack.B<V128<T>, T>((T*)b, (T*)dst, s, pc, kc, jc, nc); break;
        }
    }
}
