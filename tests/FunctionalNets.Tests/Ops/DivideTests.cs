using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Arithmetic_Divide =>
    [
        OpSpec.Binary(nameof(Divide), BroadcastGens.Pair(-3, 3, 0.5, 3), Divide.Forward, Divide.Vjp, Divide.Forward, Divide.Apply, Divide.Apply),
    ];
}

public class DivideTests
{
    [Fact]
    public void Divide_by_a_row_hand_checked()
    {
        var y = Divide.Forward(Tensor.Matrix([1.0, 2], [3.0, 4]), Tensor.Vector(2.0, 4));
        Assert.Equal(Tensor.Matrix([0.5, 0.5], [1.5, 1]), y);
        // A scalar numerator: 1 / [2, 4] = [0.5, 0.25].
        Assert.Equal(Tensor.Vector(0.5, 0.25), Divide.Forward(Tensor.Scalar(1.0), Tensor.Vector(2.0, 4)));
    }

    [Fact]
    public void Divide_vjp_hand_checked()
    {
        // dy = 1: da = 1/b; db = −Σ_rows a/b² = [−(1 + 3)/4, −(2 + 4)/16].
        var (a, b) = (Tensor.Matrix([1.0, 2], [3.0, 4]), Tensor.Vector(2.0, 4));
        var (da, db) = Divide.Vjp(a, b, Tensor.Ones<double>([2, 2]));
        Assert.Equal(Tensor.Matrix([0.5, 0.25], [0.5, 0.25]), da);
        Assert.Equal(Tensor.Vector(-1.0, -0.375), db);
    }

    [Fact]
    public void Divide_by_zero_follows_IEEE()
    {
        var y = Divide.Forward(Tensor.Vector(1.0, -1, 0), Tensor.Scalar(0.0));
        Assert.Equal(Tensor.Vector(double.PositiveInfinity, double.NegativeInfinity, double.NaN), y);
    }

    [Fact]
    public void Divide_then_Multiply_returns_the_numerator() =>
        BroadcastGens.Pair(-3, 3, 0.5, 3).Sample((a, b) =>
        {
            var back = Multiply.Forward(Divide.Forward(a, b), b);
            Assert.True(back.AllClose(Broadcast.To(a, back.Shape), rtol: 1e-15, atol: 1e-15));
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Divide_mismatch_names_op_and_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Divide.Forward(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([2])));
        Assert.Equal("Divide: cannot broadcast [2, 3] with [2]", ex.Message);
    }
}
