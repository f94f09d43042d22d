using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Tensors;

public class TensorStatsTests
{
    [Fact]
    public void Stats_cover_the_finite_elements_and_count_each_kind_of_non_finite_one()
    {
        var s = TensorStats.Of(Tensor.Vector(2f, float.NaN, -1f, float.PositiveInfinity, 5f, float.NegativeInfinity, float.NaN));
        // Finite: 2, −1, 5 → min −1, max 5, mean 2.
        Assert.Equal(new TensorStats(7, -1, 5, 2, NaN: 2, PositiveInfinity: 1, NegativeInfinity: 1), s);
        Assert.Equal(4, s.NonFinite);
        Assert.Equal("NaN and +∞ and −∞", s.Describe());
    }

    [Fact]
    public void A_finite_tensor_is_described_by_its_range_and_an_all_nan_one_has_no_range()
    {
        Assert.Equal("finite, in [-3, 0.5]", TensorStats.Of(Tensor.Vector(0.5, -3.0)).Describe());
        var nan = TensorStats.Of(Tensor.Vector(double.NaN));
        Assert.True(double.IsNaN(nan.Min) && double.IsNaN(nan.Max) && double.IsNaN(nan.Mean));
        Assert.Equal("NaN", nan.Describe());
    }
}
