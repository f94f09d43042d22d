using FunctionalNets.Kernels;
using FunctionalNets.Randomness;

namespace FunctionalNets.Tests.Kernels;

public unsafe class Pair256Tests
{
    private static float[] Lanes(Pair256 v) => [.. Enumerable.Range(0, Pair256.Count).Select(i => v[i])];

    // The same operation on each half as one V256, lane for lane, bit for bit.
    private static float[] Halves(float[] x, float[] y, Func<V256<float>, V256<float>, V256<float>> op)
    {
        var result = new float[16];
        fixed (float* px = x, py = y, pr = result)
            for (var h = 0; h < 16; h += 8)
                op(V256<float>.Load(px + h), V256<float>.Load(py + h)).Store(pr + h);
        return result;
    }

    [Fact]
    public void Every_operation_gives_each_half_the_bits_of_the_same_operation_on_one_vector()
    {
        var x = Sample.Normal<float>(Key.FromSeed(81), [16], 0, 3).ToArray();
        var y = Sample.Normal<float>(Key.FromSeed(82), [16], 0, 3).ToArray();
        (x[3], y[3], x[9], y[12]) = (y[3], y[3], float.NaN, -0f); // an equal pair, a NaN and a negative zero
        fixed (float* px = x, py = y)
        {
            var (a, b) = (Pair256.Load(px), Pair256.Load(py));
            var cases = new (string Name, Pair256 Pair, Func<V256<float>, V256<float>, V256<float>> One)[]
            {
                ("+", a + b, (u, v) => u + v), ("-", a - b, (u, v) => u - v), ("*", a * b, (u, v) => u * v), ("/", a / b, (u, v) => u / v),
                ("negate", -a, (u, _) => -u), ("fma", Pair256.Fma(a, b, a), (u, v) => V256<float>.Fma(u, v, u)),
                ("sqrt", Pair256.Sqrt(Pair256.Abs(a)), (u, _) => V256<float>.Sqrt(V256<float>.Abs(u))),
                ("select", Pair256.Select(Pair256.LessThan(a, b), a, b), (u, v) => V256<float>.Select(V256<float>.LessThan(u, v), u, v)),
                ("equal", Pair256.Equal(a, b), V256<float>.Equal), ("greater", Pair256.GreaterThan(a, b), V256<float>.GreaterThan),
                ("greater or equal", Pair256.GreaterThanOrEqual(a, b), V256<float>.GreaterThanOrEqual),
                ("max", Pair256.Max(a, b), V256<float>.Max), ("shift", Pair256.ShiftBitsLeft(a, 3), (u, _) => V256<float>.ShiftBitsLeft(u, 3)),
                ("create", Pair256.Create(2.5f) * Pair256.One + Pair256.Zero, (_, _) => V256<float>.Create(2.5f)),
            };
            foreach (var (name, pair, one) in cases)
                Assert.True(Lanes(pair).Select(BitConverter.SingleToInt32Bits).SequenceEqual(Halves(x, y, one).Select(BitConverter.SingleToInt32Bits)), name);
        }
    }

    [Fact]
    public void Partial_loads_and_stores_touch_only_the_first_count_elements_and_indexed_ones_start_at_the_index()
    {
        var source = Enumerable.Range(1, 24).Select(i => (float)i).ToArray();
        fixed (float* ps = source)
        {
            Assert.Equal(Enumerable.Range(5, 16).Select(i => (float)i), Lanes(Pair256.Load(in source[0], 4)));
            Assert.Equal(Enumerable.Range(1, 16).Select(i => (float)i), Lanes(Pair256.LoadWidened(ps)));
            var indexed = new float[20];
            Pair256.Load(ps).Store(ref indexed[0], 3);
            Assert.Equal(new float[3].Concat(Enumerable.Range(1, 16).Select(i => (float)i)).Append(0f), indexed);
            for (var count = 0; count <= 16; count++)
            {
                var loaded = Lanes(Pair256.LoadFirst(ps, count));
                Assert.Equal(Enumerable.Range(0, 16).Select(i => i < count ? i + 1f : 0f), loaded);
                var target = Enumerable.Repeat(-1f, 24).ToArray();
                fixed (float* pt = target)
                    Pair256.Load(ps).StoreFirst(pt, count);
                Assert.Equal(Enumerable.Range(0, 24).Select(i => i < count ? i + 1f : -1f), target);
            }
        }
    }
}
