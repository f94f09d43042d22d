using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Attention_Attention =>
    [
        AttentionTests.Spec(causal: false),
        AttentionTests.Spec(causal: true),
    ];
}

public class AttentionTests
{
    internal static OpSpec Spec(bool causal) => new(nameof(Attention) + (causal ? "(causal)" : ""), Qkv(causal),
        xs => Attention.Forward(xs[0], xs[1], xs[2], causal).Y,
        (xs, dy) =>
        {
            var (dq, dk, dv) = Attention.Vjp(xs[0], xs[1], xs[2], Attention.Forward(xs[0], xs[1], xs[2], causal).Saved, dy);
            return [dq, dk, dv];
        },
        xs => Attention.Forward(xs[0], xs[1], xs[2], causal).Y,
        Apply: xs => Attention.Apply(xs[0], xs[1], xs[2], causal),
        ApplyFloat: xs => Attention.Apply(xs[0], xs[1], xs[2], causal));

    /// <summary>
    /// q [B, H, T, D], k [B, H, S, D], v [B, H, S, E] with B, H ≤ 2, T, S ≤ 5 or up to 64, D, E ≤ 4 or up to 20
    /// (head widths of 16 and more; S = T when causal).
    /// </summary>
    internal static Gen<Tensor<double>[]> Qkv(bool causal) =>
        Gen.Select(Gen.Int[1, 2], Gen.Int[1, 2], Gens.Dim(5, 64), Gens.Dim(5, 64), Gens.Dim(4, 20), Gens.Dim(4, 20))
            .SelectMany((b, h, t, s, d, e) => Gen.Select(
                Gens.Tensor(Shape.Of(b, h, t, d), -2, 2),
                Gens.Tensor(Shape.Of(b, h, causal ? t : s, d), -2, 2),
                Gens.Tensor(Shape.Of(b, h, causal ? t : s, e), -2, 2)))
            .Select((q, k, v) => new[] { q, k, v });

    // softmax(q·kᵀ/√D + M)·v by the definition, one (slice, query) at a time, for comparison with the fused kernel.
    private static Tensor<double> Naive(Tensor<double> q, Tensor<double> k, Tensor<double> v, bool causal)
    {
        var (t, s, d, e) = (q.Dim(-2), k.Dim(-2), q.Dim(-1), v.Dim(-1));
        var batch = q.Size / (t * d);
        var y = new double[batch * t * e];
        for (var b = 0; b < batch; b++)
            for (var i = 0; i < t; i++)
            {
                var w = new double[s];
                for (var j = 0; j < s; j++)
                {
                    var dot = 0.0;
                    for (var c = 0; c < d; c++) dot += q.Span[(b * t + i) * d + c] * k.Span[(b * s + j) * d + c];
                    w[j] = causal && j > i ? 0 : Math.Exp(dot / Math.Sqrt(d));
                }
                var sum = w.Sum();
                for (var j = 0; j < s; j++)
                    for (var c = 0; c < e; c++)
                        y[(b * t + i) * e + c] += w[j] / sum * v.Span[(b * s + j) * e + c];
            }
        return Tensor.From<double>(q.Shape.WithDim(-1, e), y);
    }

    [Fact]
    public void Attention_with_one_key_returns_its_value_for_every_query()
    {
        var q = Tensor.From<double>([1, 1, 3, 2], [1, -2, 0.5, 3, -1, 0]);
        var (k, v) = (Tensor.From<double>([1, 1, 1, 2], [0.3, 0.7]), Tensor.From<double>([1, 1, 1, 3], [4, 5, 6]));
        var (y, saved) = Attention.Forward(q, k, v);
        Assert.Equal(Tensor.From<double>([1, 1, 3, 3], [4, 5, 6, 4, 5, 6, 4, 5, 6]), y);
        // A single weight is always 1, so it carries no gradient to q or k, and dv sums dy over the queries.
        var (dq, dk, dv) = Attention.Vjp(q, k, v, saved, Tensor.From<double>([1, 1, 3, 3], [1, 2, 3, 10, 20, 30, 100, 200, 300]));
        Assert.Equal(Tensor.Zeros<double>(q.Shape), dq);
        Assert.Equal(Tensor.Zeros<double>(k.Shape), dk);
        Assert.Equal(Tensor.From<double>([1, 1, 1, 3], [111, 222, 333]), dv);
    }

    [Fact]
    public void Attention_book_example_1_causal_context_vectors()
    {
        // The book's "A B": q = k = v = 0.1·[[1, 0], [0, 1]]. Position 0 sees only itself (context = v₀); position 1
        // scores (q₁·k₀, q₁·k₁)/√2 = (0, 0.01/√2), weights (1, e^s)/(1 + e^s), context 0.1·weights.
        var x = Tensor.From<double>([1, 1, 2, 2], [0.1, 0, 0, 0.1]);
        var (y, saved) = Attention.Forward(x, x, x, causal: true);
        var s = 0.01 / Math.Sqrt(2);
        var w1 = Math.Exp(s) / (1 + Math.Exp(s));
        Assert.True(y.AllClose(Tensor.From<double>([1, 1, 2, 2], [0.1, 0, 0.1 * (1 - w1), 0.1 * w1]), 1e-15, 1e-17), y.ToString());
        Assert.True(saved.P.AllClose(Tensor.From<double>([1, 1, 2, 2], [1, 0, 1 - w1, w1]), 1e-15, 1e-17), saved.P.ToString());
        Assert.Equal(0.501767759587308, w1, 1e-15); // as printed by the book-example derivation script
    }

    // Causal attention from the ops it fuses, on full products: scores q·kᵀ, scaled, masked, softmax, times v; and the
    // VJP back through each op's own. The fused kernel leaves out the masked terms, which must change no bit.
    private static Tensor<T>[] Composed<T>(Tensor<T> q, Tensor<T> k, Tensor<T> v, Tensor<T> dy)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var (kt, scale) = (SwapAxes.Forward(k, -1, -2), T.One / T.Sqrt(T.CreateTruncating(q.Dim(-1))));
        var p = Softmax.Forward(Mask.Causal.Forward(Scale.Forward(MatMul.Forward(q, kt), scale)));
        var dScores = Scale.Vjp(Mask.Causal.Vjp(Softmax.Vjp(p, MatMul.Da(p, v, dy))), scale);
        return [MatMul.Forward(p, v), p, MatMul.Da(q, kt, dScores), SwapAxes.Forward(MatMul.Db(q, kt, dScores), -1, -2), MatMul.Db(p, v, dy)];
    }

    private static Tensor<T>[] Fused<T>(Tensor<T> q, Tensor<T> k, Tensor<T> v, Tensor<T> dy)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var (y, saved) = Attention.Forward(q, k, v, causal: true);
        var (dq, dk, dv) = Attention.Vjp(q, k, v, saved, dy);
        return [y, saved.P, dq, dk, dv];
    }

    [Fact]
    public void Causal_attention_and_its_vjp_have_the_bits_of_the_ops_it_fuses() =>
        Gen.Select(Qkv(causal: true), Gen.ULong).Sample((xs, seed) =>
        {
            var dy = Draw.Like(xs[2], seed);
            var (qf, kf, vf, dyf) = (xs[0].ToFloat(), xs[1].ToFloat(), xs[2].ToFloat(), dy.ToFloat());
            return Fused(xs[0], xs[1], xs[2], dy).Zip(Composed(xs[0], xs[1], xs[2], dy), (x, y) => x.BitEquals(y)).All(same => same)
                && Fused(qf, kf, vf, dyf).Zip(Composed(qf, kf, vf, dyf), (x, y) => x.BitEquals(y)).All(same => same);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Attention_equals_its_definition() =>
        Gen.Select(Qkv(false), Qkv(true)).Sample((a, c) =>
            Attention.Forward(a[0], a[1], a[2]).Y.AllClose(Naive(a[0], a[1], a[2], false), 1e-12, 1e-14)
            && Attention.Forward(c[0], c[1], c[2], causal: true).Y.AllClose(Naive(c[0], c[1], c[2], true), 1e-12, 1e-14),
            iter: OpLaws.Iterations);

    [Fact]
    public void Attention_probability_rows_sum_to_one() =>
        Gen.Select(Qkv(false), Gen.Bool).Sample((xs, causal) =>
        {
            if (causal && xs[0].Dim(-2) != xs[1].Dim(-2)) return true;
            var p = Attention.Forward(xs[0], xs[1], xs[2], causal).Saved.P;
            var s = p.Dim(-1);
            for (var r = 0; r < p.Size / s; r++)
                if (Math.Abs(p.Span.Slice(r * s, s).ToArray().Sum() - 1) > 1e-14) return false;
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Causal_attention_at_position_t_ignores_later_positions() =>
        Gen.Select(Qkv(true), Gen.ULong).Sample((xs, seed) =>
        {
            var (q, k, v) = (xs[0], xs[1], xs[2]);
            var t = q.Dim(-2);
            var cut = (int)(seed % (ulong)t); // positions after `cut` change, positions ≤ cut must not
            Tensor<double> Perturb(Tensor<double> x, ulong salt)
            {
                var noise = Draw.Like(x, seed + salt);
                var width = x.Dim(-1);
                return Tensor.Build<double>(x.Shape, y =>
                {
                    for (var i = 0; i < y.Length; i++)
                        y[i] = x.Span[i] + ((i / width) % t > cut ? noise.Span[i] : 0);
                });
            }
            var (y0, y1) = (Attention.Forward(q, k, v, causal: true).Y, Attention.Forward(Perturb(q, 1), Perturb(k, 2), Perturb(v, 3), causal: true).Y);
            var e = v.Dim(-1);
            for (var i = 0; i < y0.Size; i++)
                if ((i / e) % t <= cut && y0.Span[i] != y1.Span[i]) return false;
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Attention_apply_records_its_vjp_for_q_k_and_v()
    {
        var (q, k, v) = (Tensor.From<double>([1, 2, 2, 2], [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8]),
                         Tensor.From<double>([1, 2, 2, 2], [1, 0, 0, 1, -1, 2, 0.5, 0.25]),
                         Tensor.From<double>([1, 2, 2, 3], [1, 2, 3, 4, 5, 6, -1, -2, -3, 0, 1, 0]));
        TapeCheck.MatchesVjp([q, k, v], vs => Attention.Apply(vs[0], vs[1], vs[2], causal: true), (xs, dy) =>
        {
            var (dq, dk, dv) = Attention.Vjp(xs[0], xs[1], xs[2], Attention.Forward(xs[0], xs[1], xs[2], causal: true).Saved, dy);
            return [dq, dk, dv];
        });
    }

    [Fact]
    public void Attention_shape_errors_name_op_and_shapes()
    {
        static string Error(Shape q, Shape k, Shape v, bool causal = false) => Assert.Throws<ArgumentException>(() =>
            Attention.Forward(Tensor.Zeros<double>(q), Tensor.Zeros<double>(k), Tensor.Zeros<double>(v), causal)).Message;

        Assert.Equal("Attention: expected q [..., T, D], k [..., S, D], v [..., S, E] of the same rank ≥ 2, got q [2, 3, 4], k [3, 4], v [3, 4]",
            Error([2, 3, 4], [3, 4], [3, 4]));
        Assert.Equal("Attention: leading axes differ, q [2, 3, 4], k [1, 3, 4], v [2, 3, 4]", Error([2, 3, 4], [1, 3, 4], [2, 3, 4]));
        Assert.Equal("Attention: q and k must share D and k and v must share S, got q [3, 4], k [3, 5], v [3, 4]", Error([3, 4], [3, 5], [3, 4]));
        Assert.Equal("Attention: q and k must share D and k and v must share S, got q [3, 4], k [3, 4], v [2, 4]", Error([3, 4], [3, 4], [2, 4]));
        Assert.Equal("Attention: the key dimension D must be ≥ 1, got q [3, 0], k [3, 0], v [3, 4]", Error([3, 0], [3, 0], [3, 4]));
        Assert.Equal("Attention: a causal mask needs as many queries as keys (T = S), got q [2, 4], k [3, 4], v [3, 4]", Error([2, 4], [3, 4], [3, 4], causal: true));

        // A residual marked causal by hand, for keys that outnumber the queries: its VJP would leave out the wrong terms.
        var saved = new Attention.Saved<double>(Tensor.Zeros<double>([2, 3]), Causal: true);
        var vjp = Assert.Throws<ArgumentException>(() => Attention.Vjp(Tensor.Zeros<double>([2, 4]), Tensor.Zeros<double>([3, 4]), Tensor.Zeros<double>([3, 4]), saved,
            Tensor.Zeros<double>([2, 4])));
        Assert.Equal("Attention: a causal residual needs as many queries as keys (T = S), got q [2, 4], k [3, 4]", vjp.Message);
    }
}
