using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Arithmetic_Subtract =>
    [
        OpSpec.Binary(nameof(Subtract), BroadcastGens.Pair(), Subtract.Forward, Subtract.Vjp, Subtract.Forward, Subtract.Apply, Subtract.Apply),
    ];
}

public class SubtractTests
{
    [Fact]
    public void Subtract_row_from_every_row_hand_checked()
    {
        var y = Subtract.Forward(Tensor.Matrix([5.0, 5], [7.0, 9]), Tensor.Vector(1.0, 2));
        Assert.Equal(Tensor.Matrix([4.0, 3], [6.0, 7]), y);
        // A scalar on the left: 10 − [1, 2] = [9, 8].
        Assert.Equal(Tensor.Vector(9.0, 8), Subtract.Forward(Tensor.Scalar(10.0), Tensor.Vector(1.0, 2)));
    }

    [Fact]
    public void Subtract_vjp_negates_and_sums_for_the_subtrahend_hand_checked()
    {
        var dy = Tensor.Matrix([1.0, 2], [3.0, 4]);
        var (da, db) = Subtract.Vjp(Tensor.Zeros<double>([2, 2]), Tensor.Zeros<double>([2]), dy);
        Assert.Equal(dy, da);
        Assert.Equal(Tensor.Vector(-4.0, -6), db);
    }

    [Fact]
    public void Subtract_equals_adding_the_negation() =>
        BroadcastGens.Pair().Sample((a, b) => Subtract.Forward(a, b).BitEquals(Add.Forward(a, Negate.Forward(b))), iter: OpLaws.Iterations);

    [Fact]
    public void Subtract_of_a_tensor_from_itself_is_zero() =>
        Gens.Tensor().Sample(x => Subtract.Forward(x, x) == Tensor.Zeros<double>(x.Shape), iter: OpLaws.Iterations);

    [Fact]
    public void Subtract_mismatch_names_op_and_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Subtract.Forward(Tensor.Zeros<double>([3, 2]), Tensor.Zeros<double>([3])));
        Assert.Equal("Subtract: cannot broadcast [3, 2] with [3]", ex.Message);
    }
}
