using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Log =>
    [
        OpSpec.Unary(nameof(Log), Gens.Flat(0.5, 3), Log.Forward, Log.Vjp, Log.Forward, Log.Apply, Log.Apply),
    ];
}

public class LogTests
{
    [Fact]
    public void Log_hand_checked()
    {
        var y = Log.Forward(Tensor.Vector(1.0, Math.E, 0.5));
        Assert.Equal(0.0, y.Span[0]);
        Assert.Equal(1.0, y.Span[1], 1e-15);
        Assert.Equal(-Math.Log(2), y.Span[2], 1e-15);
        Assert.Equal(Tensor.Vector(1.5, -0.25), Log.Vjp(Tensor.Vector(2.0, 4), Tensor.Vector(3.0, -1)));
    }

    [Fact]
    public void Log_outside_its_domain_gives_IEEE_values()
    {
        var y = Log.Forward(Tensor.Vector(0.0, -1, double.PositiveInfinity));
        Assert.Equal(double.NegativeInfinity, y.Span[0]);
        Assert.True(double.IsNaN(y.Span[1]));
        Assert.Equal(double.PositiveInfinity, y.Span[2]);
        var dx = Log.Vjp(Tensor.Vector(0.0, 0.0), Tensor.Vector(1.0, 0));
        Assert.Equal(double.PositiveInfinity, dx.Span[0]);
        Assert.True(double.IsNaN(dx.Span[1]));
    }

    [Fact]
    public void Log_turns_products_into_sums() =>
        Gen.Select(Gens.Flat(1e-3, 1e3), Gen.Double[1e-3, 1e3]).Sample((x, c) =>
            Log.Forward(Scale.Forward(x, c)).AllClose(Add.Forward(Log.Forward(x), Tensor.Scalar(Math.Log(c))), rtol: 1e-13, atol: 1e-14),
            iter: OpLaws.Iterations);

    [Fact]
    public void Log_vjp_with_wrong_cotangent_shape_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Log.Vjp(Tensor.Zeros<double>([2, 2]), Tensor.Zeros<double>([4])));
        Assert.Equal("Log: shapes must match, got [2, 2] and [4]", ex.Message);
    }
}
