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
    public void Tensor_equality_and_hash_agree_on_signed_zeros_and_NaN()
    {
        // Equals compares values (0 = −0, NaN = NaN), so equal tensors must hash alike: one key in a dictionary or set.
        var (zero, minusZero) = (Tensor.Vector(0.0, 1.0), Tensor.Vector(-0.0, 1.0));
        var (nan, otherNan) = (Tensor.Vector(double.NaN), Tensor.Vector(BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001)));
        Assert.Equal(zero, minusZero);
        Assert.Equal(zero.GetHashCode(), minusZero.GetHashCode());
        Assert.Equal(nan, otherNan);
        Assert.Equal(nan.GetHashCode(), otherNan.GetHashCode());
        Assert.Single(new HashSet<Tensor<double>> { zero, minusZero });
        Assert.Equal(2, new Dictionary<Tensor<float>, int> { [Tensor.Vector(0f)] = 1, [Tensor.Vector(1f)] = 2 }.Count);
        Assert.Equal(1, new Dictionary<Tensor<float>, int> { [Tensor.Vector(0f)] = 1 }[Tensor.Vector(-0f)]);
        // Bit equality stays its own, stricter method.
        Assert.False(zero.BitEquals(minusZero));
        Assert.False(nan.BitEquals(otherNan));
        Assert.True(zero.BitEquals(Tensor.Vector(0.0, 1.0)));
    }

    [Fact]
    public void Matrix_with_a_null_row_names_the_row()
    {
        double[][] rows = [[1.0, 2], null!, [3.0, 4]];
        Assert.Equal("Tensor.Matrix: row 1 of 3 is null", Assert.Throws<ArgumentException>(() => Tensor.Matrix(rows)).Message);
        Assert.Equal("Tensor.Matrix: the rows array is null", Assert.Throws<ArgumentException>(() => Tensor.Matrix<double>((double[][])null!)).Message);
    }

    [Fact]
    public void Shape_with_more_elements_than_an_array_holds_is_an_error_with_the_count()
    {
        var ex = Assert.Throws<ArgumentException>(() => Shape.Of(65536, 65536));
        Assert.Equal($"Shape: [65536, 65536] has 4294967296 elements, more than the {Array.MaxLength} a tensor can hold", ex.Message);
        Assert.Contains("has 274877906944 elements", Assert.Throws<ArgumentException>(() => Tensor.Zeros<float>([4096, 4096, 4096, 4])).Message);
        // 4096³·4 = 2³⁸. A zero anywhere makes the tensor empty, however large the other dimensions.
        Assert.Equal(0, Shape.Of(1 << 30, 1 << 30, 0).Size);
        Assert.Equal(Array.MaxLength, Shape.Of(Array.MaxLength, 1).Size);
    }

    [Fact]
    public void Reshape_to_a_different_size_names_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Arange<double>(6).Reshape([4, 2]));
        Assert.Contains("[6]", ex.Message);
        Assert.Contains("[4, 2]", ex.Message);
    }
}
