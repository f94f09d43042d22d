using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
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
    public void Mean_of_nothing_is_an_error_like_every_mean_loss()
    {
        // One rule for every mean: averaging no elements is an error (not NaN from Mean and 0 from a loss).
        var empty = Tensor.Zeros<double>([0]);
        Assert.Equal("Mean: nothing to average (shape [0], axes all); the mean of no elements is undefined, so an empty batch is an error",
            Assert.Throws<ArgumentException>(() => Mean.Forward(empty)).Message);
        Assert.Contains("shape [3, 0], axes [1]", Assert.Throws<ArgumentException>(() => Mean.Forward(Tensor.Zeros<double>([3, 0]), [1])).Message);
        Assert.Contains("Mean: nothing to average", Assert.Throws<ArgumentException>(() => Mean.Vjp(empty, Tensor.Scalar(1.0))).Message);
        Assert.Contains("MeanSquaredError: nothing to average", Assert.Throws<ArgumentException>(() => MeanSquaredError.Forward(empty, empty)).Message);
        Assert.Contains("BinaryCrossEntropy: nothing to average", Assert.Throws<ArgumentException>(() => BinaryCrossEntropy.Forward(empty, empty)).Message);
        Assert.Contains("CrossEntropy: nothing to average (logits [0, 5])",
            Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(Tensor.Zeros<double>([0, 5]), Tensor.Zeros<int>([0]))).Message);
    }

    [Fact]
    public void Mean_over_a_non_empty_axis_of_an_empty_tensor_is_empty()
    {
        // [0, 3] averaged over axis 1: three elements per mean, none of them asked for.
        Assert.Equal(Shape.Of(0), Mean.Forward(Tensor.Zeros<double>([0, 3]), [1]).Shape);
    }

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
