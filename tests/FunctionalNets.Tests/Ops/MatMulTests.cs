using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Linear_MatMul =>
    [
        OpSpec.Binary(nameof(MatMul), Gens.MatMulPair(), MatMul.Forward, MatMul.Vjp, MatMul.Forward, MatMul.Apply, MatMul.Apply),
        OpSpec.Binary(nameof(MatMul) + "(batched)", Gens.BatchedMatMulPair(), MatMul.Forward, MatMul.Vjp, MatMul.Forward, MatMul.Apply, MatMul.Apply),
    ];
}

public class MatMulTests
{
    [Fact]
    public void MatMul_hand_checked_2x2()
    {
        // [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]
        var y = MatMul.Forward(Tensor.Matrix([1.0, 2], [3.0, 4]), Tensor.Matrix([5.0, 6], [7.0, 8]));
        Assert.Equal(Tensor.Matrix([19.0, 22], [43.0, 50]), y);
    }

    [Fact]
    public void MatMul_inner_dimension_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => MatMul.Forward(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([4, 5])));
        Assert.Contains("MatMul", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }

    [Fact]
    public void MatMul_is_associative_within_tolerance() =>
        Gen.Select(Gen.Int[1, 6], Gen.Int[1, 6], Gen.Int[1, 6], Gen.Int[1, 6])
            .SelectMany((n, k, l, m) => Gen.Select(Gens.Tensor(Shape.Of(n, k)), Gens.Tensor(Shape.Of(k, l)), Gens.Tensor(Shape.Of(l, m))))
            .Sample((a, b, c) => MatMul.Forward(MatMul.Forward(a, b), c).AllClose(MatMul.Forward(a, MatMul.Forward(b, c)), 1e-10, 1e-10));
}
