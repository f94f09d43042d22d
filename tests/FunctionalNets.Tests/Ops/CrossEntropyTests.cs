using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Losses_CrossEntropy =>
    [
        CrossEntropyTests.Spec(nameof(CrossEntropy), withIgnored: false, masked: false),
        CrossEntropyTests.Spec(nameof(CrossEntropy) + "(ignoreIndex)", withIgnored: true, masked: false),
        CrossEntropyTests.Spec(nameof(CrossEntropy) + "(masked logits)", withIgnored: false, masked: true),
    ];
}

public class CrossEntropyTests
{
    private const int Ignore = -1;

    /// <summary>
    /// Inputs are [logits [..., V], targets [...]], the targets carried as whole numbers in a double tensor and
    /// given no gradient. With <paramref name="withIgnored"/> some targets are the ignore index −1; with
    /// <paramref name="masked"/> about half the non-target logits are −∞.
    /// </summary>
    internal static OpSpec Spec(string name, bool withIgnored, bool masked)
    {
        int? ignore = withIgnored ? Ignore : null;
        return new OpSpec(name, Inputs(withIgnored, masked),
            xs => CrossEntropy.Forward(xs[0], xs[1].Convert<double, int>(), ignore),
            (xs, dy) => [CrossEntropy.Vjp(xs[0], xs[1].Convert<double, int>(), dy, ignore), null],
            xs => CrossEntropy.Forward(xs[0], xs[1].Convert<float, int>(), ignore),
            Apply: xs => CrossEntropy.Apply(xs[0], xs[1].Value.Convert<double, int>(), ignore),
            ApplyFloat: xs => CrossEntropy.Apply(xs[0], xs[1].Value.Convert<float, int>(), ignore));
    }

    private static Gen<Tensor<double>[]> Inputs(bool withIgnored, bool masked) =>
        Gen.Select(Gens.Shape(minRank: 0, maxRank: 2, maxDim: 4), Gens.Dim(6, 70)).SelectMany((items, v) =>
            Gen.Select(Gens.Tensor(Shape.Of([.. items, v])), Gen.Int[withIgnored ? Ignore : 0, v - 1].Array[items.Size], Gen.Bool.Array[items.Size * v])
                .Select((logits, targets, drop) => new[]
                {
                    masked ? MaskAllButTargets(logits, targets, drop) : logits,
                    Tensor.From<double>(items, [.. targets.Select(t => (double)t)]),
                }));

    private static Tensor<double> MaskAllButTargets(Tensor<double> logits, int[] targets, bool[] drop)
    {
        var v = logits.Dim(-1);
        return Tensor.Build<double>(logits.Shape, y =>
        {
            for (var i = 0; i < y.Length; i++)
                y[i] = drop[i] && i % v != targets[i / v] ? double.NegativeInfinity : logits.Span[i];
        });
    }

    // −log softmax(x)[t] straight from the definition, for one row.
    private static double NegLogSoftmax(ReadOnlySpan<double> row, int t)
    {
        var sum = 0.0;
        foreach (var x in row) sum += Math.Exp(x);
        return Math.Log(sum) - row[t];
    }

    [Fact]
    public void CrossEntropy_at_any_offset_of_the_logits_has_the_bits_of_the_unshifted_loss() =>
        // As for LogSoftmax: on a grid where the shifted logits are exact, x − max is the same at any offset.
        Gen.Select(LogSoftmaxTests.GridAndOffset(1.0 / 1024, 8192, 100_000_000L * 1024), LogSoftmaxTests.GridAndOffset(1.0 / 256, 1024, 1 << 20), Gen.ULong)
            .Sample((d, f, seed) =>
            {
                var targets = Sample.Integers(Key.FromSeed(seed), [d.X.Dim(0)], d.X.Dim(1));
                Assert.True(CrossEntropy.Forward(LogSoftmaxTests.Plus(d.X, d.Offset), targets).BitEquals(CrossEntropy.Forward(d.X, targets)));
                var (xf, targetsF) = (f.X.ToFloat(), Sample.Integers(Key.FromSeed(seed), [f.X.Dim(0)], f.X.Dim(1)));
                Assert.True(CrossEntropy.Forward(LogSoftmaxTests.Plus(xf, (float)f.Offset), targetsF).BitEquals(CrossEntropy.Forward(xf, targetsF)));
            }, iter: OpLaws.Iterations);

    [Fact]
    public void CrossEntropy_of_uniform_logits_is_log_V()
    {
        var loss = CrossEntropy.Forward(Tensor.Zeros<double>([3, 5]), Tensor.Vector(0, 4, 2)).ToScalar();
        Assert.Equal(Math.Log(5), loss, 1e-15);
    }

    [Fact]
    public void CrossEntropy_hand_checked_probabilities_and_gradient()
    {
        // logits log(0.6, 0.3, 0.1) + 2 have softmax (0.6, 0.3, 0.1): loss −log 0.6, gradient p − onehot(0).
        var logits = Tensor.Vector(Math.Log(0.6) + 2, Math.Log(0.3) + 2, Math.Log(0.1) + 2);
        var targets = Tensor.Scalar(0);
        Assert.Equal(-Math.Log(0.6), CrossEntropy.Forward(logits, targets).ToScalar(), 1e-15);
        var dx = CrossEntropy.Vjp(logits, targets, Tensor.Scalar(1.0));
        Assert.True(dx.AllClose(Tensor.Vector(-0.4, 0.3, 0.1), 1e-14, 1e-15), dx.ToString());
    }

    [Fact]
    public void CrossEntropy_is_the_mean_over_items_and_scales_the_gradient_by_dy_over_N()
    {
        // Two rows: [0, 0] → ln 2 and [ln 3, 0] with target 1 → −log(1/4) = ln 4. Mean = (ln 2 + ln 4)/2 = 1.5 ln 2.
        var logits = Tensor.Matrix([0.0, 0.0], [Math.Log(3), 0.0]);
        var targets = Tensor.Vector(0, 1);
        Assert.Equal(1.5 * Math.Log(2), CrossEntropy.Forward(logits, targets).ToScalar(), 1e-15);
        var dx = CrossEntropy.Vjp(logits, targets, Tensor.Scalar(3.0));
        // dy/N = 1.5: rows (0.5 − 1, 0.5)·1.5 and (0.75, 0.25 − 1)·1.5.
        Assert.True(dx.AllClose(Tensor.Matrix([-0.75, 0.75], [1.125, -1.125]), 1e-14, 1e-15), dx.ToString());
    }

    [Fact]
    public void CrossEntropy_ignored_items_leave_the_mean_and_get_no_gradient()
    {
        var logits = Tensor.Matrix([0.0, 0.0, 0.0, 0.0], [5.0, -1.0, 2.0, 0.5]);
        var loss = CrossEntropy.Forward(logits, Tensor.Vector(2, 0), ignoreIndex: 0).ToScalar();
        Assert.Equal(Math.Log(4), loss, 1e-15);
        var dx = CrossEntropy.Vjp(logits, Tensor.Vector(2, 0), Tensor.Scalar(1.0), ignoreIndex: 0);
        Assert.Equal([0.25, 0.25, -0.75, 0.25, 0, 0, 0, 0], dx.ToArray());
    }

    [Fact]
    public void CrossEntropy_with_every_item_ignored_is_zero_with_zero_gradient()
    {
        var logits = Tensor.Matrix([1.0, 2.0], [3.0, 4.0]);
        var targets = Tensor.Vector(-100, -100);
        Assert.Equal(0.0, CrossEntropy.Forward(logits, targets, ignoreIndex: -100).ToScalar());
        Assert.Equal(Tensor.Zeros<double>([2, 2]), CrossEntropy.Vjp(logits, targets, Tensor.Scalar(1.0), ignoreIndex: -100));
    }

    [Fact]
    public void CrossEntropy_huge_logits_stay_finite()
    {
        // log-softmax of (1000, 0) at 1 is −1000 − log(1 + e^−1000) = −1000 in double.
        var logits = Tensor.Vector(1000.0, 0.0);
        Assert.Equal(1000.0, CrossEntropy.Forward(logits, Tensor.Scalar(1)).ToScalar());
        Assert.Equal([1.0, -1.0], CrossEntropy.Vjp(logits, Tensor.Scalar(1), Tensor.Scalar(1.0)).ToArray());
        Assert.Equal(1000f, CrossEntropy.Forward(Tensor.Vector(1000f, 0f), Tensor.Scalar(1)).ToScalar());
    }

    [Fact]
    public void CrossEntropy_masked_logits_are_finite_in_value_and_gradient()
    {
        var logits = Tensor.Vector(double.NegativeInfinity, Math.Log(0.25), double.NegativeInfinity, Math.Log(0.75));
        Assert.Equal(-Math.Log(0.75), CrossEntropy.Forward(logits, Tensor.Scalar(3)).ToScalar(), 1e-15);
        var dx = CrossEntropy.Vjp(logits, Tensor.Scalar(3), Tensor.Scalar(1.0));
        Assert.True(dx.AllClose(Tensor.Vector(0.0, 0.25, 0.0, -0.25), 1e-15, 1e-15), dx.ToString());
    }

    [Fact]
    public void CrossEntropy_target_with_minus_infinity_logit_gives_infinite_loss()
    {
        var logits = Tensor.Vector(0.0, double.NegativeInfinity);
        Assert.Equal(double.PositiveInfinity, CrossEntropy.Forward(logits, Tensor.Scalar(1)).ToScalar());
        Assert.Equal([1.0, -1.0], CrossEntropy.Vjp(logits, Tensor.Scalar(1), Tensor.Scalar(1.0)).ToArray());
    }

    [Fact]
    public void CrossEntropy_is_nonnegative_and_the_mean_of_minus_log_softmax_of_the_target() =>
        Spec("", withIgnored: false, masked: false).Inputs.Sample(xs =>
        {
            var (logits, targets) = (xs[0], xs[1].Convert<double, int>());
            var v = logits.Dim(-1);
            var expected = 0.0;
            for (var r = 0; r < targets.Size; r++)
                expected += NegLogSoftmax(logits.Span.Slice(r * v, v), targets.Span[r]) / targets.Size;
            var loss = CrossEntropy.Forward(logits, targets).ToScalar();
            return loss >= 0 && Math.Abs(loss - expected) <= 1e-13 * (1 + expected);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void CrossEntropy_with_masked_non_targets_is_finite_in_value_and_gradient() =>
        Spec("", withIgnored: false, masked: true).Inputs.Sample(xs =>
        {
            var (logits, targets) = (xs[0], xs[1].Convert<double, int>());
            var loss = CrossEntropy.Forward(logits, targets).ToScalar();
            var dx = CrossEntropy.Vjp(logits, targets, Tensor.Scalar(1.0));
            return double.IsFinite(loss) && dx.Data.All(double.IsFinite);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void CrossEntropy_gradient_rows_sum_to_zero() =>
        Spec("", withIgnored: true, masked: false).Inputs.Sample(xs =>
        {
            var dx = CrossEntropy.Vjp(xs[0], xs[1].Convert<double, int>(), Tensor.Scalar(1.0), Ignore);
            var v = dx.Dim(-1);
            for (var r = 0; r < dx.Size / v; r++)
            {
                var sum = 0.0;
                foreach (var g in dx.Span.Slice(r * v, v)) sum += g;
                // Σ softmax − 1 in double: each of the v probabilities is rounded, so the sum is off by up to v half-ulps of 1.
                if (Math.Abs(sum) > v * 1.2e-16) return false;
            }
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void CrossEntropy_apply_records_its_vjp()
    {
        var logits = Tensor.Matrix([0.5, -1.0, 2.0], [0.0, 1.0, -3.0]);
        var targets = Tensor.Vector(2, 0);
        TapeCheck.MatchesVjp([logits], vs => CrossEntropy.Apply(vs[0], targets), (xs, dy) => [CrossEntropy.Vjp(xs[0], targets, dy)]);
    }

    [Fact]
    public void CrossEntropy_target_out_of_range_names_op_value_position_and_V()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            CrossEntropy.Forward(Tensor.Zeros<double>([2, 3, 5]), Tensor.From<int>([2, 3], [0, 1, 2, 3, 7, 4])));
        Assert.Equal("CrossEntropy: target 7 at position [1, 1] is out of range for V = 5", ex.Message);
        var negative = Assert.Throws<ArgumentException>(() =>
            CrossEntropy.Vjp(Tensor.Zeros<double>([2, 5]), Tensor.Vector(-1, 0), Tensor.Scalar(1.0)));
        Assert.Contains("target -1 at position [0]", negative.Message);
    }

    [Fact]
    public void CrossEntropy_shape_mismatch_names_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(Tensor.Zeros<double>([2, 5]), Tensor.Vector(0, 1, 2)));
        Assert.Contains("CrossEntropy", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[2, 5]", ex.Message);
        var dy = Assert.Throws<ArgumentException>(() => CrossEntropy.Vjp(Tensor.Zeros<double>([2, 5]), Tensor.Vector(0, 1), Tensor.Zeros<double>([2])));
        Assert.Contains("CrossEntropy: dy must be a single number", dy.Message);
    }
}
