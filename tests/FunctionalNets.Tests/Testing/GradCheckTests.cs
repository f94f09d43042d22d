using CsCheck;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Testing;

/// <summary>The finite-difference check itself: it passes a right VJP and catches one that is slightly off.</summary>
public class GradCheckTests
{
    private static readonly Tensor<double> X = Sample.Uniform<double>(Key.FromSeed(7), [3, 5], -2, 2);

    // y = x³ elementwise, whose VJP is 3x²·dy; the given one is that times (1 + error).
    private static OpSpec Cube(double error) => new("Cube", Gen.Const(new[] { X }),
        xs => Tensor.Build<double>(xs[0].Shape, y =>
        {
            for (var i = 0; i < y.Length; i++) y[i] = xs[0].Span[i] * xs[0].Span[i] * xs[0].Span[i];
        }),
        (xs, dy) => [Tensor.Build<double>(xs[0].Shape, dx =>
        {
            for (var i = 0; i < dx.Length; i++) dx[i] = 3 * xs[0].Span[i] * xs[0].Span[i] * dy.Span[i] * (1 + error);
        })]);

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void A_right_vjp_passes(ulong seed) => GradCheck.DotProduct(Cube(0), [X], seed);

    [Theory]
    [InlineData(1e-4)]
    [InlineData(-1e-4)]
    [InlineData(-2)]
    public void A_vjp_off_by_a_small_factor_fails(double error)
    {
        var ex = Assert.Throws<Exception>(() => GradCheck.DotProduct(Cube(error), [X], seed: 1));
        Assert.StartsWith("Cube: VJP ⟨dx,u⟩ = ", ex.Message);
    }
}
