using CsCheck;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>CsCheck generators for broadcasting: shapes that broadcast together, and tensors on them.</summary>
public static class BroadcastGens
{
    /// <summary>
    /// A shape of rank 1…3: up to two leading axes of 1…4 and a last axis of 1…17, so rows run past two
    /// Vector512 widths of double.
    /// </summary>
    public static Gen<Shape> Full { get; } =
        Gen.Select(Gen.Int[1, 4].Array[0, 2], Gen.Int[1, 17]).Select((lead, last) => Shape.Of([.. lead, last]));

    /// <summary>A shape that broadcasts to <paramref name="full"/>: some leading axes dropped, some of the others set to 1.</summary>
    public static Gen<Shape> StretchableTo(Shape full) =>
        Gen.Select(Gen.Int[0, full.Rank], Gen.Bool.Array[full.Rank])
            .Select((drop, ones) => Shape.Of([.. full.Skip(drop).Select((d, i) => ones[drop + i] ? 1 : d)]));

    /// <summary>
    /// Two shapes that broadcast together, one third of the time each: equal; one a trailing suffix of the other
    /// (a bias, down to a scalar); or both stretched from a common shape (e.g. [3, 1] with [4]).
    /// </summary>
    public static Gen<(Shape A, Shape B)> ShapePair { get; } =
        Full.SelectMany(full => Gen.OneOf(
            Gen.Const((full, full)),
            Gen.Select(Gen.Int[1, full.Rank], Gen.Bool).Select((drop, swap) =>
            {
                var suffix = Shape.Of([.. full.Skip(drop)]);
                return swap ? (suffix, full) : (full, suffix);
            }),
            Gen.Select(StretchableTo(full), StretchableTo(full))));

    /// <summary>Tensors on a <see cref="ShapePair"/> with <see cref="ArithmeticGens.Scaled"/> elements in <c>[lo, hi]</c>.</summary>
    public static Gen<(Tensor<double>, Tensor<double>)> Pair(double lo = -3, double hi = 3) => Pair(lo, hi, lo, hi);

    /// <summary>Tensors on a <see cref="ShapePair"/>: a's elements in <c>[aLo, aHi]</c>, b's in <c>[bLo, bHi]</c> (e.g. a divisor away from 0).</summary>
    public static Gen<(Tensor<double>, Tensor<double>)> Pair(double aLo, double aHi, double bLo, double bHi) =>
        ShapePair.SelectMany((a, b) => Gen.Select(ArithmeticGens.Tensor(a, aLo, aHi), ArithmeticGens.Tensor(b, bLo, bHi)));

    /// <summary>A tensor of <paramref name="shape"/> holding integers in <c>[lo, hi]</c>, so sums are exact in double.</summary>
    public static Gen<Tensor<double>> Integers(Shape shape, int lo = -20, int hi = 20) =>
        Gen.Int[lo, hi].Array[shape.Size].Select(v => Tensor.From<double>(shape, [.. v.Select(k => (double)k)]));
}
