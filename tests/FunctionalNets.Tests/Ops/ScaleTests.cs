using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Elementwise_Scale =>
    [
        OpSpec.Unary($"{nameof(Scale)}(2.5)", Gens.Flat(), x => Scale.Forward(x, 2.5), (_, dy) => Scale.Vjp(dy, 2.5), x => Scale.Forward(x, 2.5f),
            x => Scale.Apply(x, 2.5), x => Scale.Apply(x, 2.5f)),
        OpSpec.Unary($"{nameof(Scale)}(-0.5)", Gens.Flat(), x => Scale.Forward(x, -0.5), (_, dy) => Scale.Vjp(dy, -0.5), x => Scale.Forward(x, -0.5f),
            x => Scale.Apply(x, -0.5), x => Scale.Apply(x, -0.5f)),
    ];
}

public class ScaleTests
{
    [Fact]
    public void Scale_hand_checked()
    {
        Assert.Equal(Tensor.Vector(3.0, -1.5, 0), Scale.Forward(Tensor.Vector(2.0, -1, 0), 1.5));
        Assert.Equal(Tensor.Vector(-0.5, 1), Scale.Vjp(Tensor.Vector(0.25, -0.5), -2.0));
    }

    [Fact]
    public void Scale_equals_multiplying_by_a_scalar_tensor() =>
        Gen.Select(Gens.Tensor(), Gen.Double[-5, 5]).Sample((x, s) =>
            Scale.Forward(x, s).BitEquals(Multiply.Forward(x, Tensor.Scalar(s))), iter: OpLaws.Iterations);

    [Fact]
    public void Scale_by_powers_of_two_composes_exactly() =>
        Gen.Select(Gens.Flat(), Gen.Int[-4, 4], Gen.Int[-4, 4]).Sample((x, i, j) =>
            Scale.Forward(Scale.Forward(x, Math.ScaleB(1, i)), Math.ScaleB(1, j)).BitEquals(Scale.Forward(x, Math.ScaleB(1, i + j))),
            iter: OpLaws.Iterations);
}
