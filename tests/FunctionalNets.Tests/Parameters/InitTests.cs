using FunctionalNets.Autodiff;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Parameters;

public class InitTests
{
    private static readonly Key Key = Key.FromSeed(7).FoldIn("layer/w");

    // [200, 300] has fan_in 200, fan_out 300 and 60 000 elements.
    private static readonly Shape Wide = [200, 300];

    private static (double Mean, double Variance, double MaxAbs) Stats(Tensor<double> t)
    {
        var x = t.Span;
        var mean = 0.0;
        var maxAbs = 0.0;
        foreach (var v in x)
        {
            mean += v;
            maxAbs = Math.Max(maxAbs, Math.Abs(v));
        }
        mean /= x.Length;
        var variance = 0.0;
        foreach (var v in x) variance += (v - mean) * (v - mean);
        return (mean, variance / x.Length, maxAbs);
    }

    // Name, initializer, its bound a for U(−a, a) on [200, 300] (null for a normal), its variance on [200, 300].
    public static TheoryData<string, Initializer<double>, double?, double> Distributions => new()
    {
        { "Uniform(0.5)", Init.Uniform<double>(0.5), 0.5, 0.25 / 3 },
        { "UniformFanIn", Init.UniformFanIn<double>(), 1 / Math.Sqrt(200), 1.0 / (3 * 200) },
        { "LecunUniform", Init.LecunUniform<double>(), Math.Sqrt(3.0 / 200), 1.0 / 200 },
        { "GlorotUniform", Init.GlorotUniform<double>(), Math.Sqrt(6.0 / 500), 2.0 / 500 },
        { "HeUniform", Init.HeUniform<double>(), Math.Sqrt(6.0 / 200), 2.0 / 200 },
        { "Normal(0.01)", Init.Normal<double>(), null, 1e-4 },
        { "Normal(0.2)", Init.Normal<double>(0.2), null, 0.04 },
        { "GlorotNormal", Init.GlorotNormal<double>(), null, 2.0 / 500 },
        { "HeNormal", Init.HeNormal<double>(), null, 2.0 / 200 },
    };

    [Theory, MemberData(nameof(Distributions))]
    public void Initializer_has_its_stated_variance_and_bounds(string name, Initializer<double> init, double? bound, double variance)
    {
        // The relative sd of a sample variance over n draws is √((κ − 1)/n) with kurtosis κ = 9/5 (uniform) or 3
        // (normal); the bound is five of them. The sample mean has sd √(variance/n).
        var t = init(Key, Wide);
        var n = (double)t.Size;
        var (mean, v, maxAbs) = Stats(t);
        var kurtosis = bound is null ? 3.0 : 9.0 / 5;
        Assert.InRange(v / variance, 1 - 5 * Math.Sqrt((kurtosis - 1) / n), 1 + 5 * Math.Sqrt((kurtosis - 1) / n));
        Assert.InRange(mean, -5 * Math.Sqrt(variance / n), 5 * Math.Sqrt(variance / n));
        if (bound is { } a)
        {
            Assert.True(maxAbs < a, $"{name}: max |x| = {maxAbs} reaches the bound {a}");
            Assert.True(maxAbs > 0.999 * a, $"{name}: max |x| = {maxAbs} stays far inside the bound {a}");
        }
    }

    [Fact]
    public void Every_initializer_depends_only_on_its_key()
    {
        foreach (var row in Distributions)
        {
            var (name, init) = ((string)row[0], (Initializer<double>)row[1]);
            Assert.True(init(Key, [3, 4]).BitEquals(init(Key.FromSeed(7).FoldIn("layer/w"), [3, 4])), name);
            Assert.NotEqual(init(Key, [3, 4]), init(Key.FromSeed(7).FoldIn("layer/b"), [3, 4]));
        }
    }

    [Fact]
    public void Float_initializers_round_the_double_draws()
    {
        var d = Init.GlorotUniform<double>()(Key, [8, 5]).Span;
        var f = Init.GlorotUniform<float>()(Key, [8, 5]).Span;
        for (var i = 0; i < d.Length; i++) Assert.Equal((float)d[i], f[i]);
    }

    [Theory]
    [InlineData(new int[0], 1, 1)]
    [InlineData(new[] { 5 }, 5, 5)]
    [InlineData(new[] { 3, 4 }, 3, 4)]
    [InlineData(new[] { 2, 3, 4 }, 6, 4)]
    public void Fans_of_a_row_vector_weight_are_its_input_and_output_widths(int[] dims, int fanIn, int fanOut) =>
        Assert.Equal((fanIn, fanOut), Init.Fans(dims));

    [Fact]
    public void HeUniform_of_a_rank_3_weight_uses_the_product_of_the_leading_dims()
    {
        // [10, 20, 50]: fan_in = 200, so the bound is √(6/200) ≈ 0.173; a fan_in of 10 would allow 0.775.
        var (_, _, maxAbs) = Stats(Init.HeUniform<double>()(Key, [10, 20, 50]));
        Assert.InRange(maxAbs, 0.99 * Math.Sqrt(6.0 / 200), Math.Sqrt(6.0 / 200));
    }

    [Fact]
    public void Zeros_and_ones_fill_the_shape()
    {
        Assert.Equal(Tensor.Matrix([0.0, 0, 0], [0.0, 0, 0]), Init.Zeros<double>()(Key, [2, 3]));
        Assert.Equal(Tensor.Vector(1f, 1f, 1f), Init.Ones<float>()(Key, [3]));
    }

    [Fact]
    public void Fan_initializers_of_an_empty_shape_give_an_empty_tensor() =>
        Assert.Equal(0, Init.HeNormal<double>()(Key, [0, 4]).Size);

    [Fact]
    public void Constant_returns_the_fixed_weights()
    {
        var w = Tensor.Matrix([0.5, -1.0], [2.0, 0.25]);
        Assert.Equal(w, Init.Constant(w)(Key, [2, 2]));
    }

    [Fact]
    public void Constant_of_another_shape_names_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Init.Constant(Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]))(Key, [3, 2]));
        Assert.Equal("Init.Constant: the constant has shape [2, 3], the parameter needs [3, 2]", ex.Message);
    }

    [Fact]
    public void Net_init_draws_each_parameter_from_the_root_key_and_its_path()
    {
        // Adding a parameter elsewhere in the model leaves this one's initial value unchanged.
        var root = Key.FromSeed(11);
        var small = Net.Init(Net.Param("dense/w", [3, 2], Init.GlorotUniform<double>()), root);
        var larger = Net.Init(
            from a in Net.Param("embed/w", [5, 3], Init.Normal<double>())
            from w in Net.Param("dense/w", [3, 2], Init.GlorotUniform<double>())
            select w, root);
        Assert.True(small["dense/w"].BitEquals(larger["dense/w"]));
        Assert.True(small["dense/w"].BitEquals(Init.GlorotUniform<double>()(root.FoldIn("dense/w"), [3, 2])));
    }

    [Fact]
    public void Bad_scales_are_rejected_when_the_initializer_is_made()
    {
        Assert.Equal("Init.Uniform: the bound a must be finite and > 0, got 0",
            Assert.Throws<ArgumentException>(() => Init.Uniform<double>(0)).Message);
        Assert.Equal("Init.Normal: std must be finite and ≥ 0, got -1",
            Assert.Throws<ArgumentException>(() => Init.Normal<double>(-1)).Message);
    }
}
