using CsCheck;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>CsCheck generators for shapes and tensors.</summary>
public static class Gens
{
    /// <summary>A tensor of the given shape with elements uniform in <c>[lo, hi]</c>.</summary>
    public static Gen<Tensor<double>> Tensor(Shape shape, double lo = -3, double hi = 3) =>
        Gen.Double[lo, hi].Array[shape.Size].Select(a => Tensors.Tensor.From<double>(shape, a));

    /// <summary>A shape of rank in <c>[minRank, maxRank]</c> with each dimension in <c>[minDim, maxDim]</c>.</summary>
    public static Gen<Shape> Shape(int minRank = 1, int maxRank = 3, int minDim = 1, int maxDim = 5) =>
        Gen.Int[minRank, maxRank].SelectMany(r => Gen.Int[minDim, maxDim].Array[r]).Select(d => Tensors.Shape.Of(d));

    /// <summary>A tensor of a random shape.</summary>
    public static Gen<Tensor<double>> Tensor(int minRank = 1, int maxRank = 3, int maxDim = 5, double lo = -3, double hi = 3) =>
        Shape(minRank, maxRank, 1, maxDim).SelectMany(s => Tensor(s, lo, hi));

    /// <summary>
    /// A vector whose length sweeps 0 … 2×(Vector512 width of float)+1 = 33, so every SIMD tail of an elementwise
    /// kernel runs, for both float and double.
    /// </summary>
    public static Gen<Tensor<double>> Flat(double lo = -3, double hi = 3) =>
        Gen.Int[0, 33].SelectMany(n => Tensor(Tensors.Shape.Of(n), lo, hi));

    /// <summary>Two tensors of the same random shape.</summary>
    public static Gen<(Tensor<double>, Tensor<double>)> SameShapePair(double lo = -3, double hi = 3) =>
        Shape().SelectMany(s => Gen.Select(Tensor(s, lo, hi), Tensor(s, lo, hi)));

    /// <summary>
    /// A dimension in <c>[1, small]</c> three times in four, otherwise in <c>(small, large]</c>: most cases stay
    /// quick, and the others reach the sizes where SIMD tiles, tails and blocks change (past 64, say).
    /// </summary>
    public static Gen<int> Dim(int small, int large) => Gen.Frequency((3, Gen.Int[1, small]), (1, Gen.Int[small + 1, large]));

    /// <summary>
    /// A matrix pair [n,k]·[k,m], each dimension up to <paramref name="maxDim"/> or, one time in four, up to
    /// <paramref name="largeDim"/> (past the GEMM's 64-wide blocks and its 14-row and 16- or 32-column tiles).
    /// </summary>
    public static Gen<(Tensor<double>, Tensor<double>)> MatMulPair(int maxDim = 9, int largeDim = 80) =>
        Gen.Select(Dim(maxDim, largeDim), Dim(maxDim, largeDim), Dim(maxDim, largeDim))
            .SelectMany((n, k, m) => Gen.Select(Tensor(Tensors.Shape.Of(n, k)), Tensor(Tensors.Shape.Of(k, m))));

    /// <summary>
    /// A batched pair [b,n,k]·[b,k,m], or [b,n,k]·[k,m] with shared weights; dimensions as in <see cref="MatMulPair"/>.
    /// </summary>
    public static Gen<(Tensor<double>, Tensor<double>)> BatchedMatMulPair(int maxDim = 6, int largeDim = 70) =>
        Gen.Select(Gen.Int[1, 3], Dim(maxDim, largeDim), Dim(maxDim, largeDim), Dim(maxDim, largeDim), Gen.Bool)
            .SelectMany((b, n, k, m, shared) => Gen.Select(
                Tensor(Tensors.Shape.Of(b, n, k)),
                Tensor(shared ? Tensors.Shape.Of(k, m) : Tensors.Shape.Of(b, k, m))));
}
