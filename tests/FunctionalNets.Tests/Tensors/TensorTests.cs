using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void Tensor_equality_is_by_shape_and_value()
    {
        Assert.Equal(Tensor.Vector(1.0, 2.0), Tensor.Vector(1.0, 2.0));
        Assert.NotEqual(Tensor.Vector(1.0, 2.0), Tensor.Vector(1.0, 2.0).Reshape([2, 1]));
        Assert.NotEqual(Tensor.Vector(1.0, 2.0), Tensor.Vector(1.0, 3.0));
    }

    [Fact]
    public void Tensor_from_copies_the_caller_array()
    {
        double[] values = [1, 2, 3];
        var t = Tensor.From<double>([3], values);
        values[0] = 99;
        Assert.Equal(1.0, t.Span[0]);
    }

    [Fact]
    public void Tensor_prints_small_tensors_in_full_and_elides_large_ones()
    {
        Assert.Equal("Tensor<Double>[2, 2] [[1, 2], [3, 4]]", Tensor.Matrix([1.0, 2], [3.0, 4]).ToString());
        Assert.Contains("…", Tensor.Arange<float>(100).ToString());
    }

    [Fact]
    public void Tensor_factories_give_expected_values()
    {
        Assert.Equal(Tensor.Vector(0.0, 1, 2, 3), Tensor.Arange<double>(4));
        Assert.Equal(Tensor.Matrix([1.0, 0], [0.0, 1]), Tensor.Identity<double>(2));
        Assert.Equal(Tensor.Vector(7f, 7f), Tensor.Full<float>([2], 7f));
        Assert.Equal(Tensor.Vector(0.5f, 1.5f), Tensor.Vector(0.5, 1.5).ToFloat());
    }

    [Fact]
    public void Reshape_to_a_different_size_names_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Arange<double>(6).Reshape([4, 2]));
        Assert.Contains("[6]", ex.Message);
        Assert.Contains("[4, 2]", ex.Message);
    }
}
