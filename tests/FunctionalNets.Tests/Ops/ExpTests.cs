using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Exp =>
    [
        OpSpec.Unary(nameof(Exp), Gens.Flat(-5, 5), Exp.Forward, (x, dy) => Exp.Vjp(Exp.Forward(x), dy), Exp.Forward, Exp.Apply, Exp.Apply),
    ];
}

public class ExpTests
{
    [Fact]
    public void Exp_hand_checked()
    {
        var y = Exp.Forward(Tensor.Vector(0.0, 1, -1, double.NegativeInfinity, 1000));
        Assert.Equal(1.0, y.Span[0]);
        Assert.Equal(Math.E, y.Span[1], 1e-15);
        Assert.Equal(1 / Math.E, y.Span[2], 1e-15);
        Assert.Equal(0.0, y.Span[3]);
        Assert.Equal(double.PositiveInfinity, y.Span[4]);
    }

    [Fact]
    public void Exp_vjp_scales_the_cotangent_by_the_output() =>
        Assert.Equal(Tensor.Vector(6.0, -1), Exp.Vjp(Tensor.Vector(2.0, 0.5), Tensor.Vector(3.0, -2)));

    [Fact]
    public void Exp_of_Log_returns_the_input() =>
        Gens.Flat(1e-3, 1e3).Sample(x => Exp.Forward(Log.Forward(x)).AllClose(x, rtol: 1e-14, atol: 0), iter: OpLaws.Iterations);

    [Fact]
    public void Exp_turns_sums_into_products() =>
        Gen.Select(Gens.Flat(-5, 5), Gen.Double[-5, 5]).Sample((x, c) =>
            Exp.Forward(Add.Forward(x, Tensor.Scalar(c))).AllClose(Scale.Forward(Exp.Forward(x), Math.Exp(c)), rtol: 1e-14, atol: 0),
            iter: OpLaws.Iterations);
}
