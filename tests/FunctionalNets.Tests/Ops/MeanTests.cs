using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Params;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Reductions_Mean =>
    [
        OpSpec.Unary($"{nameof(Mean)}(all)", Gens.Tensor(), x => Mean.Forward(x), (x, dy) => Mean.Vjp(x, dy), x => Mean.Forward(x),
            x => Mean.Apply(x), x => Mean.Apply(x)),
        OpSpec.Unary($"{nameof(Mean)}([0, 2], keepDims)", Gens.Tensor(minRank: 3), x => Mean.Forward(x, [0, 2], keepDims: true),
            (x, dy) => Mean.Vjp(x, dy, [0, 2], keepDims: true), x => Mean.Forward(x, [0, 2], keepDims: true),
            x => Mean.Apply(x, [0, 2], keepDims: true), x => Mean.Apply(x, [0, 2], keepDims: true)),
        OpSpec.Unary($"{nameof(Mean)}([-1])", Gens.Tensor(), x => Mean.Forward(x, [-1]), (x, dy) => Mean.Vjp(x, dy, [-1]), x => Mean.Forward(x, [-1]),
            x => Mean.Apply(x, [-1]), x => Mean.Apply(x, [-1])),
    ];
}

public class MeanTests
{
    private static readonly Tensor<double> X = Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]);

    [Fact]
    public void Mean_hand_checked()
    {
        Assert.Equal(Tensor.Scalar(3.5), Mean.Forward(X));
        Assert.Equal(Tensor.Vector(2.5, 3.5, 4.5), Mean.Forward(X, [0]));
        Assert.Equal(Tensor.Matrix([2.0], [5.0]), Mean.Forward(X, [1], keepDims: true));
    }

    [Fact]
    public void Mean_vjp_shares_dy_equally_hand_checked()
    {
        Assert.Equal(Tensor.Matrix([1.0, 1, 1], [2.0, 2, 2]), Mean.Vjp(X, Tensor.Vector(3.0, 6), [1]));
        Assert.Equal(Tensor.Full<double>([2, 3], 0.5), Mean.Vjp(X, Tensor.Scalar(3.0)));
    }

    [Fact]
    public void Mean_equals_Sum_divided_by_the_count() =>
        ReductionGens.Axes(s => Gens.Tensor(s)).Sample((x, axes, keepDims) =>
        {
            var count = axes.Aggregate(1, (n, a) => n * x.Dim(a));
            var sum = Sum.Forward(x, axes, keepDims);
            var expected = Tensor.Build<double>(sum.Shape, y =>
            {
                for (var i = 0; i < y.Length; i++) y[i] = sum.Span[i] / count;
            });
            return Mean.Forward(x, axes, keepDims).BitEquals(expected);
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Mean_of_nothing_is_NaN() =>
        Assert.True(double.IsNaN(Mean.Forward(Tensor.Zeros<double>([0])).ToScalar()));

    [Fact]
    public void Mean_bad_axis_names_op_and_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Mean.Forward(X, [-3]));
        Assert.Equal("Mean: axis -3 is out of range for shape [2, 3]", ex.Message);
    }

    [Fact]
    public void Mean_squared_error_gradient_through_the_tape_hand_checked()
    {
        // loss = mean((w − t)²) over 4 elements: dloss/dw = 2(w − t)/4.
        var ps = Params<double>.Empty.With("w", Tensor.Vector(1.0, 2, 3, 4));
        var t = Tensor.Vector(0.0, 2, 5, 3);
        Initializer<double> none = (_, s) => Tensor.Zeros<double>(s);
        var loss =
            from w in Net.Param("w", [4], none)
            from target in Net.Const(t)
            from d in Subtract.Apply(w, target)
            from sq in Square.Apply(d)
            from m in Mean.Apply(sq)
            select m;
        var (value, grads) = Grad.ValueAndGrad(loss, ps);
        Assert.Equal((1.0 + 0 + 4 + 1) / 4, value);
        Assert.Equal(Tensor.Vector(0.5, 0, -1, 0.5), grads["w"]);
    }
}
