using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Linear_Affine =>
    [
        new(nameof(Affine), AffineTests.Operands,
            xs => Affine.Forward(xs[0], xs[1], xs[2]),
            (xs, dy) =>
            {
                var (dx, dw, db) = Affine.Vjp(xs[0], xs[1], xs[2], dy);
                return [dx, dw, db];
            },
            xs => Affine.Forward(xs[0], xs[1], xs[2]),
            Apply: xs => Affine.Apply(xs[0], xs[1], xs[2]),
            ApplyFloat: xs => Affine.Apply(xs[0], xs[1], xs[2])),
    ];
}

public class AffineTests
{
    /// <summary>x [n, k] or [batch, n, k], W [k, m] and b [m], with m up to 20 so SIMD tails run.</summary>
    public static Gen<Tensor<double>[]> Operands =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[1, 5], Gen.Int[1, 6], Gen.Int[1, 20])
            .SelectMany((batch, n, k, m) => Gen.Select(
                Gens.Tensor(batch == 0 ? Shape.Of(n, k) : Shape.Of(batch, n, k)), Gens.Tensor(Shape.Of(k, m)), Gens.Tensor(Shape.Of(m))))
            .Select((x, w, b) => new[] { x, w, b });

    [Fact]
    public void Affine_hand_checked()
    {
        // [1, 2]·[[1, 0, 2], [0, 1, 3]] = [1, 2, 8]; plus [10, 20, 30].
        var y = Affine.Forward(Tensor.Matrix([1.0, 2]), Tensor.Matrix([1.0, 0, 2], [0.0, 1, 3]), Tensor.Vector(10.0, 20, 30));
        Assert.Equal(Tensor.Matrix([11.0, 22, 38]), y);
    }

    [Fact]
    public void Affine_has_the_bits_of_a_product_then_a_bias_add() =>
        Operands.Select(xs => xs.Select(t => t.ToFloat()).ToArray()).Sample(xs =>
            Affine.Forward(xs[0], xs[1], xs[2]).BitEquals(Add.Forward(MatMul.Forward(xs[0], xs[1]), xs[2])));

    [Fact]
    public void Affine_vjp_has_the_bits_of_the_product_and_bias_vjps() =>
        Operands.Sample(xs =>
        {
            var dy = Affine.Forward(xs[0], xs[1], xs[2]); // any tensor of the output's shape
            var (dx, dw, db) = Affine.Vjp(xs[0], xs[1], xs[2], dy);
            var (mx, mw) = MatMul.Vjp(xs[0], xs[1], dy);
            return dx.BitEquals(mx) && dw.BitEquals(mw) && db.BitEquals(Add.Vjp(dy, xs[2], dy).Db);
        });

    [Fact]
    public void Affine_with_zero_bias_is_the_product() =>
        Operands.Sample(xs => Affine.Forward(xs[0], xs[1], Tensor.Zeros<double>(xs[2].Shape)).Equals(MatMul.Forward(xs[0], xs[1])));

    [Fact]
    public void Affine_bias_gradient_is_the_column_sum_of_dy()
    {
        // Three rows of dy: db adds them, whatever x and W are.
        var dy = Tensor.Matrix([1.0, 2], [3.0, 4], [5.0, 6]);
        var (_, _, db) = Affine.Vjp(Tensor.Ones<double>([3, 4]), Tensor.Ones<double>([4, 2]), Tensor.Zeros<double>([2]), dy);
        Assert.Equal(Tensor.Vector(9.0, 12), db);
    }

    [Fact]
    public void Affine_on_a_constant_input_records_no_input_gradient()
    {
        var x = Tensor.Ones<double>([2, 3]);
        var p = Params<double>.Of([
            KeyValuePair.Create("w", Tensor.Ones<double>([3, 2])), KeyValuePair.Create("b", Tensor.Zeros<double>([2]))]);
        var loss = from xv in Net.Const(x)
                   from w in Net.Param<double>("w")
                   from b in Net.Param<double>("b")
                   from y in Affine.Apply(xv, w, b)
                   from s in Sum.Apply(y)
                   select s;
        var (value, grads) = Grad.ValueAndGrad(loss, p);
        Assert.Equal(12.0, value);
        Assert.Equal(Tensor.Full([3, 2], 2.0), grads["w"]);
        Assert.Equal(Tensor.Full([2], 2.0), grads["b"]);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 4, 5 }, new[] { 5 })]
    [InlineData(new[] { 2, 3 }, new[] { 3, 5 }, new[] { 4 })]
    [InlineData(new[] { 3 }, new[] { 3, 5 }, new[] { 5 })]
    public void Affine_mismatched_operands_name_the_op_and_shapes(int[] x, int[] w, int[] b)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Affine.Forward(Tensor.Zeros<double>(Shape.Of(x)), Tensor.Zeros<double>(Shape.Of(w)), Tensor.Zeros<double>(Shape.Of(b))));
        Assert.Contains("Affine", ex.Message);
        Assert.Contains(Shape.Of(x).ToString(), ex.Message);
        Assert.Contains(Shape.Of(w).ToString(), ex.Message);
        Assert.Contains(Shape.Of(b).ToString(), ex.Message);
    }
}
