using System.Numerics;
using FunctionalNets.Kernels;

namespace FunctionalNets.Tests.Kernels;

/// <summary>
/// The packs against their definition at every width this machine has: the A slivers of a plain or transposed A
/// (several packed at once) and the B slivers of a plain or transposed B, with partial slivers (fewer rows or columns than the
/// tile) and depths that are not a whole number of transpose blocks, and nothing written past the slivers and their
/// slack.
/// </summary>
public class GemmPackTests
{
    private static readonly int[] Depths = [1, 3, 4, 5, 8, 9, 16, 17, 31];

    [Theory, InlineData(false), InlineData(true)]
    public void A_slivers_hold_each_depth_step_as_a_row_of_their_tile(bool transA)
    {
        foreach (var bits in AtEveryWidth.Widths)
        {
            PackA<float>(bits, transA);
            PackA<double>(bits, transA);
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public void B_slivers_hold_each_depth_step_as_a_row_of_columns(bool transB)
    {
        foreach (var bits in AtEveryWidth.Widths)
        {
            PackB<float>(bits, transB);
            PackB<double>(bits, transB);
        }
    }

    // op(A)[ir..ir+rows, pc..pc+kc] for rows up to three tiles and a bit, so several slivers are packed at once.
    private static void PackA<T>(int bits, bool transA)
        where T : unmanaged, INumber<T>
    {
        var mr = MrAt(bits);
        foreach (var kc in Depths)
            for (var rows = 1; rows <= 3 * mr + 1; rows++)
            {
                // op(A) is (rows + 2)×(kc + 3) starting at row 1, column 2, stored with 4 spare elements a line.
                var (m, k, ir, pc) = (rows + 2, kc + 3, 1, 2);
                var ld = (transA ? m : k) + 4;
                var a = Enumerable.Range(0, (transA ? k : m) * ld).Select(i => T.CreateTruncating(i + 1)).ToArray();
                T OpA(int i, int p) => transA ? a[p * ld + i] : a[i * ld + p];
                var stride = StrideAt<T>(bits, kc);
                var tiles = (rows + mr - 1) / mr;
                var shape = new GemmShape(m, k, 1, transA, false, false, Lda: ld);
                var packed = Pack<T>(bits, (tiles - 1) * stride + mr * kc, (pa, dst) => PackAAt<T>(bits, pa, dst, shape, ir, rows, pc, kc), a);
                for (var t = 0; t < tiles; t++)
                    for (var p = 0; p < kc; p++)
                        for (var r = 0; r < mr; r++)
                        {
                            var row = t * mr + r;
                            var expected = row < rows ? OpA(ir + row, pc + p) : T.Zero;
                            var actual = packed[t * stride + p * mr + r];
                            Assert.True(expected == actual, $"{typeof(T).Name} at {bits} bits, transA={transA}, {rows} rows, kc={kc}: sliver {t}, ap[{p}·{mr} + {r}] = {actual}, expected {expected}");
                        }
            }
    }

    private static void PackB<T>(int bits, bool transB)
        where T : unmanaged, INumber<T>
    {
        var nr = 2 * bits / 8 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        foreach (var kc in Depths)
            foreach (var nc in (int[])[1, nr - 1, nr, nr + 3, 2 * nr + 1, 3 * nr])
            {
                // op(B) is (kc + 4)×(nc + 1) starting at row 4, column 1, stored with 5 spare elements a line.
                var (k, n, pc, jc) = (kc + 4, nc + 1, 4, 1);
                var ld = (transB ? k : n) + 5;
                var b = Enumerable.Range(0, (transB ? n : k) * ld).Select(i => T.CreateTruncating(i + 1)).ToArray();
                T OpB(int p, int j) => transB ? b[j * ld + p] : b[p * ld + j];
                var slivers = (nc + nr - 1) / nr;
                var shape = new GemmShape(1, k, n, false, transB, false, Ldb: ld);
                var packed = Pack<T>(bits, slivers * nr * kc, (pb, dst) => PackBAt<T>(bits, pb, dst, shape, pc, kc, jc, nc), b);
                for (var s = 0; s < slivers; s++)
                    for (var p = 0; p < kc; p++)
                        for (var j = 0; j < nr; j++)
                        {
                            var col = s * nr + j;
                            var expected = col < nc ? OpB(pc + p, jc + col) : T.Zero;
                            var actual = packed[s * kc * nr + p * nr + j];
                            Assert.True(expected == actual, $"{typeof(T).Name} at {bits} bits, transB={transB}, nc={nc}, kc={kc}: sliver {s}, p={p}, j={j} = {actual}, expected {expected}");
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

    private static int StrideAt<T>(int bits, int kc)
        where T : unmanaged => bits switch
        {
            512 => GemmPack.ASliverStride<V512<T>, T>(kc),
            256 => GemmPack.ASliverStride<V256<T>, T>(kc),
            _ => GemmPack.ASliverStride<V128<T>, T>(kc),
        };

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
