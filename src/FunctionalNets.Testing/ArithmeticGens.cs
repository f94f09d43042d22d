using CsCheck;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>
/// CsCheck generators for arithmetic ops whose finite-difference checks need well-scaled inputs.
/// </summary>
/// <remarks>
/// <c>Gen.Double[lo, hi]</c> spreads its draws over the exponents: about a quarter land below 1e-6 in magnitude.
/// Next to a perturbation ε·u with ε = 1e-6 such a value rounds away, so the central difference of a product
/// (or of x³ at a tiny x) says nothing about it. These generators redraw magnitudes below 1e-3, keeping exact 0.
/// </remarks>
public static class ArithmeticGens
{
    /// <summary>An element in <c>[lo, hi]</c> that is 0 or at least 1e-3 in magnitude.</summary>
    public static Gen<double> Scaled(double lo, double hi) => Gen.Double[lo, hi].Where(v => v == 0 || Math.Abs(v) >= 1e-3);

    /// <summary>A tensor of <paramref name="shape"/> with <see cref="Scaled"/> elements.</summary>
    public static Gen<Tensor<double>> Tensor(Shape shape, double lo = -3, double hi = 3) =>
        Scaled(lo, hi).Array[shape.Size].Select(v => Tensors.Tensor.From<double>(shape, v));

    /// <summary>A vector of length 0 … 33 (every SIMD tail) with <see cref="Scaled"/> elements in <c>[lo, hi]</c>.</summary>
    public static Gen<Tensor<double>> Flat(double lo = -3, double hi = 3) =>
        Gen.Int[0, 33].SelectMany(n => Tensor(Shape.Of(n), lo, hi));

    /// <summary>
    /// A vector of length 0 … 33 (every SIMD tail) whose elements have magnitude in <c>[min, max]</c> and either
    /// sign: away from a kink or singularity at 0 (|x|, x³'s vanishing slope) by at least <paramref name="min"/>.
    /// </summary>
    public static Gen<Tensor<double>> Signed(double min = 0.5, double max = 3) =>
        Gen.Int[0, 33].SelectMany(n => Gen.Select(Gen.Double[min, max], Gen.Bool, (m, negative) => negative ? -m : m).Array[n])
            .Select(v => Tensors.Tensor.Vector<double>(v));

    /// <summary>
    /// A tensor of a random shape (rank <c>[minRank, maxRank]</c>, dimensions 1 … 5) whose elements are distinct
    /// multiples of 3e-5 in [−3, 3]: any two differ by far more than a finite-difference step, so a maximum has no
    /// near ties.
    /// </summary>
    public static Gen<Tensor<double>> Distinct(int minRank = 1, int maxRank = 3) =>
        Gens.Shape(minRank, maxRank).SelectMany(s =>
            Gen.Int[-100_000, 100_000].Array[s.Size]
                .Where(k => k.Distinct().Count() == k.Length)
                .Select(k => Tensors.Tensor.From<double>(s, [.. k.Select(i => i * 3e-5)])));
}
