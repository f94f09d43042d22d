using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Shape_Reshape =>
    [
        ShapeFamily.Spec(nameof(Reshape), ReshapeTests.Cases, ReshapeTests.Run, (s, xs, dy) => [Reshape.Vjp(xs[0].Shape, dy)], ReshapeTests.Run,
            ReshapeTests.OnTape, ReshapeTests.OnTape),
    ];
}

public class ReshapeTests
{
    /// <summary>A tensor and a target: its dimensions reversed, one of them possibly written as −1.</summary>
    internal static Gen<(int[], Tensor<double>[])> Cases =>
        Gens.Tensor(minRank: 1, maxRank: 4, maxDim: 4).SelectMany(x => Gen.Int[0, x.Rank].Select(inferred =>
        {
            var dims = x.Shape.Reverse().ToArray();
            if (inferred < dims.Length) dims[inferred] = -1;
            return (dims, new[] { x });
        }));

    internal static Tensor<T> Run<T>(int[] dims, Tensor<T>[] xs)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => Reshape.Forward(xs[0], dims);

    internal static Net<T, Var<T>> OnTape<T>(int[] dims, Var<T>[] xs)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => Reshape.Apply(xs[0], dims);

    [Fact]
    public void Reshape_hand_checked_with_an_inferred_dimension()
    {
        var y = Reshape.Forward(Tensor.Arange<double>(6), 2, -1);
        Assert.Equal(Tensor.Matrix([0.0, 1, 2], [3.0, 4, 5]), y);
    }

    [Fact]
    public void Reshape_vjp_gives_dy_in_the_input_shape()
    {
        var dx = Reshape.Vjp(Shape.Of(6), Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]));
        Assert.Equal(Tensor.Vector(1.0, 2, 3, 4, 5, 6), dx);
    }

    [Fact]
    public void Reshape_shares_the_buffer_of_its_input()
    {
        var x = Tensor.Arange<double>(6);
        Assert.True(Reshape.Forward(x, 3, 2).Data.AsSpan().Overlaps(x.Span));
    }

    [Fact]
    public void Reshape_is_invertible() =>
        Cases.Sample((dims, xs) => Reshape.Forward(Reshape.Forward(xs[0], dims), xs[0].Shape.ToArray()).BitEquals(xs[0]));

    [Fact]
    public void Reshape_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Arange<double>(6);
        var dy = Tensor.Matrix([1.0, -2], [3.0, -4], [5.0, -6]);
        var (y, dxs) = ShapeFamily.OnTape(v => Reshape.Apply(v[0], -1, 2), dy, x);
        Assert.Equal(Reshape.Forward(x, 3, 2), y);
        Assert.Equal(Reshape.Vjp(x.Shape, dy), dxs[0]);
    }

    [Fact]
    public void Reshape_size_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Reshape.Forward(Tensor.Arange<double>(6), 4, 2));
        Assert.Contains("Reshape", ex.Message);
        Assert.Contains("[6]", ex.Message);
        Assert.Contains("[4, 2]", ex.Message);
    }

    [Fact]
    public void Reshape_with_no_fitting_inferred_dimension_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Reshape.Forward(Tensor.Arange<double>(6), -1, 4));
        Assert.Contains("Reshape", ex.Message);
        Assert.Contains("[6]", ex.Message);
        Assert.Contains("[-1, 4]", ex.Message);
    }

    [Fact]
    public void Reshape_with_two_inferred_dimensions_names_op_and_dimensions()
    {
        var ex = Assert.Throws<ArgumentException>(() => Reshape.Forward(Tensor.Arange<double>(6), -1, -1));
        Assert.Contains("Reshape", ex.Message);
        Assert.Contains("[-1, -1]", ex.Message);
    }
}
