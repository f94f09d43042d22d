using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;
using FunctionalNets.Tests.Tensors;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Reductions_Max =>
    [
        OpSpec.Unary($"{nameof(Max)}(0)", ArithmeticGens.Distinct(), x => Max.Forward(x, 0), (x, dy) => Max.Vjp(x, dy, 0), x => Max.Forward(x, 0),
            x => Max.Apply(x, 0), x => Max.Apply(x, 0)),
        OpSpec.Unary($"{nameof(Max)}(-1, keepDims)", ArithmeticGens.Distinct(), x => Max.Forward(x, -1, keepDims: true),
            (x, dy) => Max.Vjp(x, dy, -1, keepDims: true), x => Max.Forward(x, -1, keepDims: true),
            x => Max.Apply(x, -1, keepDims: true), x => Max.Apply(x, -1, keepDims: true)),
        OpSpec.Unary($"{nameof(Max)}(1)", ArithmeticGens.Distinct(minRank: 2), x => Max.Forward(x, 1), (x, dy) => Max.Vjp(x, dy, 1), x => Max.Forward(x, 1),
            x => Max.Apply(x, 1), x => Max.Apply(x, 1)),
    ];
}

public class MaxTests
{
    private static readonly Tensor<double> X = Tensor.Matrix([1.0, 5, 3], [4.0, 2, 6]);

    [Fact]
    public void Max_hand_checked()
    {
        Assert.Equal(Tensor.Vector(5.0, 6), Max.Forward(X, 1));
        Assert.Equal(Tensor.Vector(4.0, 5, 6), Max.Forward(X, 0));
        Assert.Equal(Tensor.Matrix([5.0], [6.0]), Max.Forward(X, -1, keepDims: true));
    }

    [Fact]
    public void Max_vjp_routes_dy_to_the_maximum_hand_checked() =>
        Assert.Equal(Tensor.Matrix([0.0, 10, 0], [0.0, 0, 20]), Max.Vjp(X, Tensor.Vector(10.0, 20), 1));

    [Fact]
    public void Max_vjp_sends_a_tie_to_its_first_index()
    {
        Assert.Equal(Tensor.Vector(7.0, 0, 0), Max.Vjp(Tensor.Vector(3.0, 1, 3), Tensor.Scalar(7.0), 0));
        var ties = Tensor.Matrix([2.0, 2], [2.0, 1]);
        Assert.Equal(Tensor.Matrix([1.0, 1], [0.0, 0]), Max.Vjp(ties, Tensor.Vector(1.0, 1), 0));
        Assert.Equal(Tensor.Matrix([1.0, 0], [1.0, 0]), Max.Vjp(ties, Tensor.Vector(1.0, 1), 1));
    }

    [Fact]
    public void Max_with_NaN_is_NaN_and_routes_dy_to_the_first_NaN()
    {
        var x = Tensor.Vector(1.0, double.NaN, 5, double.NaN);
        Assert.True(double.IsNaN(Max.Forward(x, 0).ToScalar()));
        Assert.Equal(Tensor.Vector(0.0, 3, 0, 0), Max.Vjp(x, Tensor.Scalar(3.0), 0));
    }

    [Fact]
    public void Max_is_at_least_every_element_and_equals_one_of_them() =>
        Gens.Shape(1, 3).SelectMany(s => Gen.Select(Gens.Tensor(s), Gen.Int[0, s.Rank - 1]))
            .Sample((x, axis) =>
            {
                var m = Max.Forward(x, axis, keepDims: true);
                var kept = x.Shape.WithDim(axis, 1);
                var attained = new bool[m.Size];
                for (var i = 0; i < x.Size; i++)
                {
                    var o = NaiveBroadcast.Source(kept, NaiveBroadcast.MultiIndex(x.Shape, i));
                    Assert.True(m.Span[o] >= x.Span[i]);
                    attained[o] |= m.Span[o] == x.Span[i];
                }
                Assert.All(attained, Assert.True);
            }, iter: OpLaws.Iterations);

    [Fact]
    public void Max_bad_or_empty_axis_names_op_and_shape()
    {
        var bad = Assert.Throws<ArgumentException>(() => Max.Forward(X, 2));
        Assert.Equal("Max: axis 2 is out of range for shape [2, 3]", bad.Message);
        var empty = Assert.Throws<ArgumentException>(() => Max.Forward(Tensor.Zeros<double>([0, 3]), 0));
        Assert.Equal("Max: axis 0 of shape [0, 3] is empty, so it has no maximum", empty.Message);
    }

    [Fact]
    public void Max_vjp_with_wrong_cotangent_shape_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Max.Vjp(X, Tensor.Vector(1.0, 2, 3), 1));
        Assert.Equal("Max: dy shape [3] does not match output [2] of input [2, 3]", ex.Message);
    }

    [Fact]
    public void Max_apply_sends_the_gradient_to_each_rows_maximum()
    {
        // loss = Σ_rows max_j w[i, j]: the gradient is 1 at each row's maximum (5 and 6), 0 elsewhere.
        var ps = Params<double>.Empty.With("w", X);
        Initializer<double> none = (_, s) => Tensor.Zeros<double>(s);
        var loss =
            from w in Net.Param("w", [2, 3], none)
            from m in Max.Apply(w, 1)
            from l in Sum.Apply(m)
            select l;
        var (value, grads) = Grad.ValueAndGrad(loss, ps);
        Assert.Equal(11.0, value);
        Assert.Equal(Tensor.Matrix([0.0, 1, 0], [0.0, 0, 1]), grads["w"]);
    }
}
