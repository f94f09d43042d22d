using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Stochastic_Dropout =>
    [
        new(nameof(Dropout), DropoutTests.ValuesAndSeed,
            xs => Dropout.Forward(xs[0], DropoutTests.Rate, DropoutTests.TapeKey(xs[1])),
            (xs, dy) => [Dropout.Vjp(dy, DropoutTests.Rate, DropoutTests.TapeKey(xs[1])), null],
            xs => Dropout.Forward(xs[0], DropoutTests.Rate, DropoutTests.TapeKey(xs[1])),
            Apply: DropoutTests.OnTape, ApplyFloat: DropoutTests.OnTape),
    ];
}

public class DropoutTests
{
    internal const double Rate = 0.3;

    /// <summary>[x, seed]: a vector sweeping SIMD tails and a key seed carried as a whole number (no gradient).</summary>
    internal static Gen<Tensor<double>[]> ValuesAndSeed =>
        Gen.Select(Gens.Flat(), Gen.Int[0, 1 << 20]).Select((x, seed) => new[] { x, Tensor.Scalar((double)seed) });

    internal static Key KeyOf<T>(Tensor<T> seed)
        where T : unmanaged, System.Numerics.INumber<T> => Key.FromSeed(ulong.CreateTruncating(seed.ToScalar()));

    /// <summary>The key <see cref="OnTape{T}"/>'s dropout draws: the first draw at the root scope of a run keyed by the seed.</summary>
    internal static Key TapeKey<T>(Tensor<T> seed)
        where T : unmanaged, System.Numerics.INumber<T> => KeyOf(seed).FoldIn("").FoldIn(0u);

    /// <summary>Dropout of [x, seed] on the tape, in a training run whose key comes from the seed.</summary>
    internal static Net<T, Var<T>> OnTape<T>(Var<T>[] xs)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        new(s => Dropout.Apply(xs[0], Rate).Run(s with { Rng = KeyOf(xs[1].Value), Training = true }));

    private static readonly Key Fixed = Key.FromSeed(42);

    private static int Kept(Tensor<double> y) => y.Data.Count(v => v != 0);

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Dropout_keeps_about_one_minus_rate_of_ten_thousand_elements(double rate)
    {
        // Kept ~ Binomial(n, 1 − rate): mean n(1 − rate), sd √(n·rate·(1 − rate)) ≤ 50; allow five sd.
        const int n = 10_000;
        var kept = Kept(Dropout.Forward(Tensor.Ones<double>([n]), rate, Fixed));
        Assert.InRange(kept, n * (1 - rate) - 5 * Math.Sqrt(n * rate * (1 - rate)), n * (1 - rate) + 5 * Math.Sqrt(n * rate * (1 - rate)));
    }

    [Fact]
    public void Dropout_scales_kept_elements_by_one_over_one_minus_rate()
    {
        var y = Dropout.Forward(Tensor.Full<double>([1000], 3.0), 0.25, Fixed);
        Assert.All(y.Data, v => Assert.True(v == 0 || v == 4.0, $"{v}"));
        Assert.All(Dropout.Forward(Tensor.Full<float>([1000], 3f), 0.5, Fixed).Data, v => Assert.True(v == 0 || v == 6f, $"{v}"));
    }

    [Fact]
    public void Dropout_element_i_depends_only_on_the_key_and_i() =>
        Gen.Select(Gen.Int[1, 200], Gen.Int[0, 200], Gen.UInt).Sample((n, extra, seed) =>
        {
            var key = Key.FromSeed(seed);
            var (shorter, longer) = (Dropout.Forward(Tensor.Ones<double>([n]), Rate, key), Dropout.Forward(Tensor.Ones<double>([n + extra]), Rate, key));
            var same = Dropout.Forward(Tensor.Ones<double>([n]), Rate, key);
            return shorter.Span.SequenceEqual(longer.Span[..n]) && same.BitEquals(shorter);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Dropout_with_another_key_drops_other_elements() =>
        Assert.NotEqual(Dropout.Forward(Tensor.Ones<double>([64]), Rate, Fixed), Dropout.Forward(Tensor.Ones<double>([64]), Rate, Fixed.FoldIn(1u)));

    [Fact]
    public void Dropout_rate_zero_is_the_identity() =>
        ValuesAndSeed.Sample(xs => Dropout.Forward(xs[0], 0, KeyOf(xs[1])).BitEquals(xs[0]), iter: OpLaws.Iterations);

    [Fact]
    public void Dropout_vjp_drops_exactly_where_the_forward_dropped() =>
        Gen.Select(ValuesAndSeed, Gen.ULong).Sample((xs, seed) =>
        {
            var key = KeyOf(xs[1]);
            var (y, dx) = (Dropout.Forward(xs[0], Rate, key), Dropout.Vjp(Draw.Like(xs[0], seed), Rate, key));
            for (var i = 0; i < y.Size; i++)
                if ((y.Span[i] == 0) != (dx.Span[i] == 0) && xs[0].Span[i] != 0) return false;
            return true;
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Dropout_apply_is_the_identity_when_not_training()
    {
        var x = Tensor.Vector(1.0, 2.0, 3.0);
        var net = Net.Const(x).Bind(v => Dropout.Apply(v, 0.5));
        Assert.Same(x, Net.Apply(net, Params<double>.Empty).Value);
        Assert.Same(x, Net.Apply(net, Params<double>.Empty, Fixed, training: false).Value);
    }

    [Fact]
    public void Dropout_apply_draws_the_runs_next_key_when_training()
    {
        var x = Tensor.Ones<double>([32]);
        var drawn = Net.Apply(Net.NextKey<double>(), Params<double>.Empty, Fixed, training: true);
        var y = Net.Apply(Net.Const(x).Bind(v => Dropout.Apply(v, 0.5)), Params<double>.Empty, Fixed, training: true).Value;
        Assert.Equal(Dropout.Forward(x, 0.5, drawn), y);
        TapeCheck.MatchesVjp([Tensor.Arange<double>(32)], vs => Dropout.Apply(vs[0], 0.5), (_, dy) => [Dropout.Vjp(dy, 0.5, drawn)], Fixed);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Dropout_rate_outside_zero_to_one_is_an_error(double rate)
    {
        var ex = Assert.Throws<ArgumentException>(() => Dropout.Forward(Tensor.Ones<double>([2]), rate, Fixed));
        Assert.Equal($"Dropout: rate must be in [0, 1), got {rate}", ex.Message);
        Assert.Throws<ArgumentException>(() => Dropout.Apply(new Var<double>(0, Tensor.Ones<double>([2])), rate));
    }
}
