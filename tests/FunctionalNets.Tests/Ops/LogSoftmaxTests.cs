using System.Numerics;
using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Activations_LogSoftmax =>
    [
        ShapeFamily.Spec(nameof(LogSoftmax), SoftmaxTests.Cases, LogSoftmaxTests.Run, (s, xs, dy) => [LogSoftmax.Vjp(LogSoftmax.Forward(xs[0], s[0]), dy, s[0])], LogSoftmaxTests.Run,
            LogSoftmaxTests.OnTape, LogSoftmaxTests.OnTape),
    ];
}

public class LogSoftmaxTests
{
    internal static Tensor<T> Run<T>(int[] s, Tensor<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => LogSoftmax.Forward(xs[0], s[0]);

    internal static Net<T, Var<T>> OnTape<T>(int[] s, Var<T>[] xs)
        where T : unmanaged, IFloatingPointIeee754<T> => LogSoftmax.Apply(xs[0], s[0]);

    [Fact]
    public void LogSoftmax_hand_checked_row()
    {
        // Softmax of (0, ln 2, ln 5) is (1, 2, 5)/8, so its log is (−ln 8, ln 2 − ln 8, ln 5 − ln 8).
        var y = LogSoftmax.Forward(Tensor.Vector(0.0, Math.Log(2), Math.Log(5)));
        var ln8 = Math.Log(8);
        Assert.True(y.AllClose(Tensor.Vector(-ln8, Math.Log(2) - ln8, Math.Log(5) - ln8), 1e-15, 0));
    }

    [Fact]
    public void LogSoftmax_vjp_hand_checked()
    {
        // y = log(1/4, 3/4), dy = (2, 2): Σdy = 4, dx = dy − softmax·4 = (2 − 1, 2 − 3) = (1, −1).
        var dx = LogSoftmax.Vjp(Tensor.Vector(Math.Log(0.25), Math.Log(0.75)), Tensor.Vector(2.0, 2));
        Assert.True(dx.AllClose(Tensor.Vector(1.0, -1), 1e-15, 1e-15));
    }

    [Fact]
    public void LogSoftmax_is_the_log_of_softmax_where_finite() =>
        SoftmaxTests.Cases.Sample((s, xs) =>
        {
            var (logY, y) = (LogSoftmax.Forward(xs[0], s[0]), Softmax.Forward(xs[0], s[0]));
            for (var i = 0; i < y.Size; i++)
            {
                var log = Math.Log(y.Span[i]);
                if (double.IsFinite(log) && Math.Abs(log - logY.Span[i]) > 1e-13 * (1 + Math.Abs(log))) return false;
            }
            return true;
        });

    /// <summary>
    /// Rows of logits kᵢ·<paramref name="step"/> (|kᵢ| ≤ <paramref name="maxK"/>, up to 40 per row) and an offset
    /// K·<paramref name="step"/> (|K| ≤ <paramref name="maxOffsetK"/>): on this grid the shifted logits are exact too.
    /// </summary>
    internal static Gen<(Tensor<double> X, double Offset)> GridAndOffset(double step, int maxK, long maxOffsetK) =>
        Gen.Select(Gen.Int[1, 4], Gens.Dim(8, 40), Gen.Long[-maxOffsetK, maxOffsetK])
            .SelectMany((rows, cols, offset) => Gen.Int[-maxK, maxK].Array[rows * cols]
                .Select(k => (Tensor.From<double>(Shape.Of(rows, cols), [.. k.Select(v => v * step)]), offset * step)));

    internal static Tensor<T> Plus<T>(Tensor<T> x, T c)
        where T : unmanaged, IFloatingPointIeee754<T> => Add.Forward(x, Tensor.Scalar(c));

    [Fact]
    public void LogSoftmax_at_any_offset_has_the_bits_of_the_unshifted_rows() =>
        // Double: logits k/1024 with |k| ≤ 8192 and offsets up to ±1e8 (the sums need at most 37 bits). Float: k/256
        // with |k| ≤ 1024 and offsets up to ±4096 (21 bits). x − max is then the same exact number at any offset,
        // so the result must be too; x − (max + log Σ) would round to the offset's ulp.
        Gen.Select(GridAndOffset(1.0 / 1024, 8192, 100_000_000L * 1024), GridAndOffset(1.0 / 256, 1024, 1 << 20)).Sample((d, f) =>
        {
            Assert.True(LogSoftmax.Forward(Plus(d.X, d.Offset)).BitEquals(LogSoftmax.Forward(d.X)), $"offset {d.Offset}");
            var xf = f.X.ToFloat();
            Assert.True(LogSoftmax.Forward(Plus(xf, (float)f.Offset)).BitEquals(LogSoftmax.Forward(xf)), $"offset {f.Offset}");
        }, iter: OpLaws.Iterations);

    [Fact]
    public void LogSoftmax_in_float_is_within_four_ulp_of_the_double_result() =>
        Gen.Select(Gen.Int[1, 4], Gens.Dim(8, 70)).SelectMany((r, c) => Gens.Tensor(Shape.Of(r, c), -20, 20)).Sample(x =>
        {
            // Each yᵢ = (xᵢ − max) − log Σ: float rounds each of those terms, and Σ ≥ 1 to float's ulp of 1 (so log Σ
            // carries an error of that order even when it is small), so the error is counted in float ulps of the
            // largest of them and 1.
            var xf = x.ToFloat();
            var (y32, y64) = (LogSoftmax.Forward(xf), LogSoftmax.Forward(xf.ToDouble()));
            var cols = x.Dim(1);
            for (var r = 0; r < x.Dim(0); r++)
            {
                var row = xf.Span.Slice(r * cols, cols).ToArray();
                var max = row.Max();
                var logSum = Math.Log(row.Sum(v => Math.Exp(v - max)));
                for (var i = r * cols; i < (r + 1) * cols; i++)
                {
                    var scale = Math.Max(Math.Max(Math.Abs(xf.Span[i] - max), logSum), Math.Max(Math.Abs(y64.Span[i]), 1));
                    Assert.True(Math.Abs(y32.Span[i] - y64.Span[i]) <= 4 * Math.ScaleB(1.0, Math.ILogB(scale) - 23), $"element {i}: {y32.Span[i]:R} vs {y64.Span[i]:R}");
                }
            }
        }, iter: OpLaws.Iterations);

    [Fact]
    public void LogSoftmax_stays_finite_where_softmax_underflows()
    {
        // softmax(0, −1000) underflows to (1, 0); its log is (0, −1000) exactly.
        var y = LogSoftmax.Forward(Tensor.Vector(0.0, -1000));
        Assert.Equal(Tensor.Vector(0.0, -1000), y);
    }

    [Fact]
    public void LogSoftmax_masked_entries_stay_minus_infinity_with_finite_gradient()
    {
        var y = LogSoftmax.Forward(Tensor.Vector(0.0, double.NegativeInfinity, Math.Log(3)));
        Assert.Equal(double.NegativeInfinity, y.Span[1]);
        Assert.Equal(Math.Log(0.25), y.Span[0], 1e-15);
        var dx = LogSoftmax.Vjp(y, Tensor.Vector(1.0, 1, 1));
        // Σdy = 3: dx = (1 − 3/4, 1 − 0, 1 − 9/4).
        Assert.True(dx.AllClose(Tensor.Vector(0.25, 1, -1.25), 1e-15, 1e-15));
    }

    [Fact]
    public void LogSoftmax_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Arange<double>(24, -3, 0.25).Reshape([2, 3, 4]);
        var dy = Tensor.Arange<double>(24, 1, -0.125).Reshape([2, 3, 4]);
        var (y, dxs) = ShapeFamily.OnTape(v => LogSoftmax.Apply(v[0], 1), dy, x);
        Assert.Equal(LogSoftmax.Forward(x, 1), y);
        Assert.Equal(LogSoftmax.Vjp(y, dy, 1), dxs[0]);
        var (yLast, dxsLast) = ShapeFamily.OnTape(v => LogSoftmax.Apply(v[0]), dy, x);
        Assert.Equal(LogSoftmax.Vjp(yLast, dy), dxsLast[0]);
    }

    [Fact]
    public void LogSoftmax_bad_axis_names_op_axis_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => LogSoftmax.Forward(Tensor.Zeros<double>([4]), -2));
        Assert.Contains("LogSoftmax", ex.Message);
        Assert.Contains("axis -2", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }
}
