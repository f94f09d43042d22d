using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Arithmetic_Multiply =>
    [
        OpSpec.Binary(nameof(Multiply), BroadcastGens.Pair(), Multiply.Forward, Multiply.Vjp, Multiply.Forward, Multiply.Apply, Multiply.Apply),
    ];
}

public class MultiplyTests
{
    [Fact]
    public void Multiply_scales_columns_hand_checked()
    {
        var y = Multiply.Forward(Tensor.Matrix([1.0, 2], [3.0, 4]), Tensor.Vector(10.0, 100));
        Assert.Equal(Tensor.Matrix([10.0, 200], [30.0, 400]), y);
    }

    [Fact]
    public void Multiply_vjp_hand_checked()
    {
        // da = dy ⊙ b stretched; db = Σ_rows dy ⊙ a = [1 + 3, 2 + 4] for dy = 1.
        var (a, b) = (Tensor.Matrix([1.0, 2], [3.0, 4]), Tensor.Vector(10.0, 100));
        var (da, db) = Multiply.Vjp(a, b, Tensor.Ones<double>([2, 2]));
        Assert.Equal(Tensor.Matrix([10.0, 100], [10.0, 100]), da);
        Assert.Equal(Tensor.Vector(4.0, 6), db);
    }

    [Fact]
    public void Multiply_is_commutative() =>
        BroadcastGens.Pair().Sample((a, b) => Multiply.Forward(a, b).BitEquals(Multiply.Forward(b, a)), iter: OpLaws.Iterations);

    [Fact]
    public void Multiply_by_ones_is_the_identity() =>
        Gens.Tensor().Sample(x => Multiply.Forward(x, Tensor.Ones<double>([x.Dim(-1)])).BitEquals(x), iter: OpLaws.Iterations);

    [Fact]
    public void Multiply_distributes_over_Add_on_integers() =>
        BroadcastGens.Full.SelectMany(full => Gen.Select(BroadcastGens.Integers(full), BroadcastGens.Integers(full), BroadcastGens.Integers(full)))
            .Sample((a, b, c) => Multiply.Forward(a, Add.Forward(b, c)) == Add.Forward(Multiply.Forward(a, b), Multiply.Forward(a, c)), // == : −0 equals 0
                iter: OpLaws.Iterations);

    [Fact]
    public void Multiply_mismatch_names_op_and_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Multiply.Forward(Tensor.Zeros<double>([2]), Tensor.Zeros<double>([5, 3])));
        Assert.Equal("Multiply: cannot broadcast [2] with [5, 3]", ex.Message);
    }
}
