using FunctionalNets.Kernels;
using FunctionalNets.Randomness;

namespace FunctionalNets.Tests.Kernels;

public class RowsTests
{
    [Fact]
    public void Masked_double_softmax_repeats_its_bits_wherever_the_output_lies()
    {
        // A causal-style row, its last 80 entries masked: TensorPrimitives' double exp alone gave the vectors next to
        // the masked ones bits that depended on the output buffer's alignment.
        const int cols = 200;
        var x = Sample.Normal<double>(Key.FromSeed(41), [cols], 0, 5).ToArray();
        for (var j = 120; j < cols; j++) x[j] = double.NegativeInfinity;
        x[50] = -1e4; // finite but far below the row's maximum: e^x underflows to 0 as well
        var buffer = new double[cols + 16];
        var first = new double[cols];
        Rows.Softmax<double>(x, first, 1, cols);
        for (var offset = 0; offset < 16; offset++)
        {
            var y = buffer.AsSpan(offset, cols);
            Rows.Softmax<double>(x, y, 1, cols);
            Assert.True(y.SequenceEqual(first), $"output at offset {offset} differs from a fresh array's");
        }
        for (var j = 120; j < cols; j++) Assert.Equal(0.0, first[j]);
        Assert.Equal(0.0, first[50]);
        Assert.Equal(1.0, first.Sum(), 12);
    }
}
