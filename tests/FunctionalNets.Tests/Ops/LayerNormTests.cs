using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Normalization_LayerNorm =>
    [
        new(nameof(LayerNorm), LayerNormTests.WithGainAndBias,
            xs => LayerNorm.Forward(xs[0], xs[1], xs[2]).Y,
            (xs, dy) =>
            {
                var (dx, dgamma, dbeta) = LayerNorm.Vjp(xs[0], xs[1], LayerNorm.Forward(xs[0], xs[1], xs[2]).Saved, dy);
                return [dx, dgamma, dbeta];
            },
            xs => LayerNorm.Forward(xs[0], xs[1], xs[2]).Y,
            Apply: xs => LayerNorm.Apply(xs[0], xs[1], xs[2]),
            ApplyFloat: xs => LayerNorm.Apply(xs[0], xs[1], xs[2])),
        OpSpec.Unary(nameof(LayerNorm) + "(no gain or bias)", LayerNormTests.Spread,
            x => LayerNorm.Forward(x).Y, (x, dy) => LayerNorm.Vjp(x, LayerNorm.Forward(x).Saved, dy), x => LayerNorm.Forward(x).Y,
            x => LayerNorm.Apply(x), x => LayerNorm.Apply(x)),
    ];
}

public class LayerNormTests
{
    private const double Eps = LayerNorm.DefaultEps;

    /// <summary>
    /// x [..., C] with C from 2 to 33 (so SIMD tails run) and every row's variance at least 0.05: the curvature of
    /// the normalisation grows like 1/σ³, and near-constant rows would make the finite-difference step too coarse.
    /// </summary>
    internal static Gen<Tensor<double>> Spread =>
        Gen.Select(Gens.Shape(minRank: 0, maxRank: 2, maxDim: 4), Gen.Int[2, 33])
            .SelectMany((lead, c) => Gens.Tensor(Shape.Of([.. lead, c])))
            .Where(x => RowVariances(x).All(v => v >= 0.05));

    /// <summary>[x, γ, β] with γ and β in [−2, 2].</summary>
    internal static Gen<Tensor<double>[]> WithGainAndBias =>
        Spread.SelectMany(x => Gen.Select(Gens.Tensor(Shape.Of(x.Dim(-1)), -2, 2), Gens.Tensor(Shape.Of(x.Dim(-1)), -2, 2))
            .Select((g, b) => new[] { x, g, b }));

    private static double[] RowVariances(Tensor<double> x)
    {
        var c = x.Dim(-1);
        return [.. Enumerable.Range(0, x.Size / c).Select(r =>
        {
            var row = x.Span.Slice(r * c, c).ToArray();
            var mean = row.Average();
            return row.Sum(v => (v - mean) * (v - mean)) / c;
        })];
    }

    private static Tensor<double> Each(Tensor<double> x, Func<double, double> f) => Tensor.From<double>(x.Shape, [.. x.Data.Select(f)]);

    [Fact]
    public void LayerNorm_of_1_2_3_is_minus_one_zero_one_times_rstd()
    {
        // μ = 2, biased var = 2/3, so y = (−1, 0, 1)/√(2/3 + ε).
        var r = 1 / Math.Sqrt(2.0 / 3 + Eps);
        var (y, saved) = LayerNorm.Forward(Tensor.Vector(1.0, 2.0, 3.0));
        Assert.True(y.AllClose(Tensor.Vector(-r, 0, r), 1e-15, 1e-16), y.ToString());
        Assert.Equal(2.0, saved.Mean.ToScalar());
        Assert.Equal(r, saved.Rstd.ToScalar(), 1e-15);
    }

    [Fact]
    public void LayerNorm_applies_gain_and_bias_per_feature()
    {
        var r = 1 / Math.Sqrt(2.0 / 3 + Eps);
        var (y, _) = LayerNorm.Forward(Tensor.Vector(1.0, 2.0, 3.0), Tensor.Vector(2.0, 1.0, 0.5), Tensor.Vector(0.0, 1.0, -1.0));
        Assert.True(y.AllClose(Tensor.Vector(-2 * r, 1, 0.5 * r - 1), 1e-15, 1e-16), y.ToString());
    }

    [Fact]
    public void LayerNorm_hand_checked_gradients()
    {
        // x = (1, 2, 3), dy = (1, 0, 0), γ = 1: dn = dy, mean(dn) = 1/3, x̂ = (−r, 0, r), mean(dn·x̂) = −r/3, so
        // dx = r·(dn − 1/3 + x̂·r/3) = r·(2/3 − r²/3, −1/3, −1/3 + r²/3); dγ = dy·x̂ = (−r, 0, 0); dβ = dy.
        var r = 1 / Math.Sqrt(2.0 / 3 + Eps);
        var x = Tensor.Vector(1.0, 2.0, 3.0);
        var dy = Tensor.Vector(1.0, 0.0, 0.0);
        var (_, saved) = LayerNorm.Forward(x, Tensor.Ones<double>([3]), Tensor.Zeros<double>([3]));
        var (dx, dgamma, dbeta) = LayerNorm.Vjp(x, Tensor.Ones<double>([3]), saved, dy);
        var expected = Tensor.Vector(r * (2.0 / 3 - r * r / 3), -r / 3, r * (-1.0 / 3 + r * r / 3));
        Assert.True(dx.AllClose(expected, 1e-13, 1e-15), $"{dx} vs {expected}");
        Assert.True(dgamma.AllClose(Tensor.Vector(-r, 0, 0), 1e-15, 1e-16), dgamma.ToString());
        Assert.Equal(dy, dbeta);
        Assert.True(LayerNorm.Vjp(x, LayerNorm.Forward(x).Saved, dy).AllClose(expected, 1e-13, 1e-15));
    }

    [Fact]
    public void LayerNorm_gain_and_bias_gradients_sum_over_rows()
    {
        // Two identical rows give twice the one-row gradients of γ and β.
        var row = Tensor.Vector(0.5, -1.0, 2.0, 0.0);
        var (g, b, dy) = (Tensor.Vector(1.0, 2.0, 3.0, 4.0), Tensor.Zeros<double>([4]), Tensor.Vector(0.3, -0.2, 0.1, 1.0));
        var one = LayerNorm.Vjp(row, g, LayerNorm.Forward(row, g, b).Saved, dy);
        var two = Tensor.Matrix(row.ToArray(), row.ToArray());
        var both = LayerNorm.Vjp(two, g, LayerNorm.Forward(two, g, b).Saved, Tensor.Matrix(dy.ToArray(), dy.ToArray()));
        Assert.Equal(one.Dgamma.Data.Select(v => 2 * v), both.Dgamma.Data);
        Assert.Equal(one.Dbeta.Data.Select(v => 2 * v), both.Dbeta.Data);
    }

    [Fact]
    public void LayerNorm_of_a_constant_row_is_the_bias()
    {
        var (y, saved) = LayerNorm.Forward(Tensor.Matrix([4.0, 4.0, 4.0], [7.0, 7.0, 7.0]), Tensor.Vector(2.0, 3.0, 4.0), Tensor.Vector(0.5, -0.5, 1.0));
        Assert.Equal(Tensor.Matrix([0.5, -0.5, 1.0], [0.5, -0.5, 1.0]), y);
        Assert.Equal(1 / Math.Sqrt(Eps), saved.Rstd.Span[0], 1e-12);
        Assert.Equal(Tensor.Zeros<double>([1, 1]), LayerNorm.Forward(Tensor.Full<double>([1, 1], 3.0)).Y);
    }

    [Fact]
    public void LayerNorm_rows_have_mean_zero_and_variance_one_up_to_eps() =>
        Spread.Sample(x =>
        {
            var y = LayerNorm.Forward(x).Y;
            var c = x.Dim(-1);
            var (varX, varY) = (RowVariances(x), RowVariances(y));
            for (var r = 0; r < varX.Length; r++)
            {
                var mean = y.Span.Slice(r * c, c).ToArray().Average();
                if (Math.Abs(mean) > 1e-14 || Math.Abs(varY[r] - varX[r] / (varX[r] + Eps)) > 1e-13) return false;
            }
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void LayerNorm_is_invariant_to_shifting_its_input() =>
        Gen.Select(Spread, Gen.Double[-10, 10]).Sample((x, shift) =>
        {
            return LayerNorm.Forward(Each(x, v => v + shift)).Y.AllClose(LayerNorm.Forward(x).Y, 1e-12, 1e-12);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void LayerNorm_scaling_the_input_by_a_equals_scaling_eps_by_one_over_a_squared() =>
        Gen.Select(Spread, Gen.Double[0.01, 100]).Sample((x, a) =>
        {
            // (a·x − a·μ)/√(a²·var + ε) = (x − μ)/√(var + ε/a²): positive scaling is exactly absorbed into ε.
            var scaled = Each(x, v => a * v);
            return LayerNorm.Forward(scaled).Y.AllClose(LayerNorm.Forward(x, Eps / (a * a)).Y, 1e-12, 1e-12);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void LayerNorm_gradient_is_orthogonal_to_constant_shifts() =>
        Gen.Select(Spread, Gen.ULong).Sample((x, seed) =>
        {
            // y does not change when a constant is added to a row, so each row of dx sums to 0.
            var dx = LayerNorm.Vjp(x, LayerNorm.Forward(x).Saved, Draw.Like(x, seed));
            var c = x.Dim(-1);
            for (var r = 0; r < x.Size / c; r++)
                if (Math.Abs(dx.Span.Slice(r * c, c).ToArray().Sum()) > 1e-12) return false;
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void LayerNorm_apply_records_its_vjp_for_x_gain_and_bias()
    {
        var x = Tensor.Matrix([1.0, -2.0, 0.5], [3.0, 0.0, 1.0]);
        var (g, b) = (Tensor.Vector(1.5, -1.0, 0.5), Tensor.Vector(0.1, 0.2, 0.3));
        TapeCheck.MatchesVjp([x, g, b], vs => LayerNorm.Apply(vs[0], vs[1], vs[2]), (xs, dy) =>
        {
            var (dx, dgamma, dbeta) = LayerNorm.Vjp(xs[0], xs[1], LayerNorm.Forward(xs[0], xs[1], xs[2]).Saved, dy);
            return [dx, dgamma, dbeta];
        });
        TapeCheck.MatchesVjp([x], vs => LayerNorm.Apply(vs[0], eps: 1e-3), (xs, dy) => [LayerNorm.Vjp(xs[0], LayerNorm.Forward(xs[0], 1e-3).Saved, dy)]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void LayerNorm_eps_that_is_not_positive_and_finite_is_an_error(double eps)
    {
        var x = Tensor.Matrix([1.0, 2, 3]);
        Assert.Equal($"LayerNorm: ε must be positive and finite, got {eps}", Assert.Throws<ArgumentException>(() => LayerNorm.Forward(x, eps)).Message);
        Assert.Throws<ArgumentException>(() => LayerNorm.Forward(x, Tensor.Ones<double>([3]), Tensor.Zeros<double>([3]), eps));
    }

    [Fact]
    public void LayerNorm_constant_rows_normalise_to_the_bias() =>
        // As documented: variance 0, so y = β up to the rounding of the row's mean (|x − μ| ≤ a few ulp of x, times
        // rstd = 1/√ε ≈ 316): exactly β when the mean is exact.
        Gen.Select(Gen.Double[-10, 10], Gen.Int[1, 33], Gen.Double[-2, 2].Array[33]).Sample((v, c, beta) =>
        {
            var b = Tensor.Vector<double>(beta.AsSpan(0, c));
            var y = LayerNorm.Forward(Tensor.Full<double>([2, c], v), Tensor.Ones<double>([c]), b).Y;
            var exact = LayerNorm.Forward(Tensor.Full<double>([2, c], 0.5), Tensor.Ones<double>([c]), b).Y;
            return y.AllClose(Add.Forward(Tensor.Zeros<double>([2, c]), b), rtol: 0, atol: 1e-11 * (1 + Math.Abs(v)))
                && exact.BitEquals(Add.Forward(Tensor.Zeros<double>([2, c]), b));
        }, iter: OpLaws.Iterations);

    [Fact]
    public void LayerNorm_shape_errors_name_op_and_shapes()
    {
        var gain = Assert.Throws<ArgumentException>(() => LayerNorm.Forward(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([4]), Tensor.Zeros<double>([3])));
        Assert.Equal("LayerNorm: gain [4] and bias [3] must both be [3] for input [2, 3]", gain.Message);
        var empty = Assert.Throws<ArgumentException>(() => LayerNorm.Forward(Tensor.Zeros<double>([2, 0])));
        Assert.Equal("LayerNorm: expected [..., C] with C ≥ 1, got [2, 0]", empty.Message);
        var scalar = Assert.Throws<ArgumentException>(() => LayerNorm.Forward(Tensor.Scalar(1.0)));
        Assert.Contains("LayerNorm", scalar.Message);
        var saved = LayerNorm.Forward(Tensor.Zeros<double>([2, 3])).Saved;
        var dy = Assert.Throws<ArgumentException>(() => LayerNorm.Vjp(Tensor.Zeros<double>([2, 3]), saved, Tensor.Zeros<double>([3, 2])));
        Assert.Equal("LayerNorm: shapes must match, got [2, 3] and [3, 2]", dy.Message);
        var stale = Assert.Throws<ArgumentException>(() => LayerNorm.Vjp(Tensor.Zeros<double>([4, 3]), saved, Tensor.Zeros<double>([4, 3])));
        Assert.Contains("saved mean [2]", stale.Message);
    }
}
