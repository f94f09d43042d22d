using System.Globalization;
using System.Numerics;

namespace FunctionalNets.Tensors;

/// <summary>
/// A tensor at a glance: how many elements it has, the min, max and mean of its finite ones, and how many are NaN,
/// +∞ and −∞.
/// </summary>
/// <remarks>
/// The mean is accumulated in double in index order, so one tensor gives the same bits on every machine. With no
/// finite element, <see cref="Min"/>, <see cref="Max"/> and <see cref="Mean"/> are NaN.
/// </remarks>
/// <param name="Count">Elements in all.</param>
/// <param name="Min">The smallest finite element.</param>
/// <param name="Max">The largest finite element.</param>
/// <param name="Mean">The mean of the finite elements.</param>
/// <param name="NaN">Elements that are NaN.</param>
/// <param name="PositiveInfinity">Elements that are +∞.</param>
/// <param name="NegativeInfinity">Elements that are −∞.</param>
public readonly record struct TensorStats(long Count, double Min, double Max, double Mean, long NaN, long PositiveInfinity, long NegativeInfinity)
{
    /// <summary>Elements that are NaN or ±∞.</summary>
    public long NonFinite => NaN + PositiveInfinity + NegativeInfinity;

    /// <summary>The statistics of <paramref name="x"/>'s elements.</summary>
    public static TensorStats Of<T>(Tensor<T> x)
        where T : unmanaged, INumber<T>
    {
        var (min, max, sum) = (double.PositiveInfinity, double.NegativeInfinity, 0.0);
        long nan = 0, plus = 0, minus = 0;
        foreach (var element in x.Span)
        {
            if (T.IsNaN(element)) nan++;
            else if (T.IsPositiveInfinity(element)) plus++;
            else if (T.IsNegativeInfinity(element)) minus++;
            else
            {
                var v = double.CreateTruncating(element);
                (min, max, sum) = (Math.Min(min, v), Math.Max(max, v), sum + v);
            }
        }
        var finite = x.Size - nan - plus - minus;
        return finite == 0
            ? new(x.Size, double.NaN, double.NaN, double.NaN, nan, plus, minus)
            : new(x.Size, min, max, sum / finite, nan, plus, minus);
    }

    /// <summary>The kinds of non-finite element present, e.g. <c>NaN and +∞</c>; empty when every element is finite.</summary>
    public string NonFiniteKinds() =>
        string.Join(" and ", new[] { (NaN, "NaN"), (PositiveInfinity, "+∞"), (NegativeInfinity, "−∞") }.Where(k => k.Item1 > 0).Select(k => k.Item2));

    /// <summary>What the elements hold, for messages: the non-finite kinds (<c>+∞</c>), or <c>finite, in [min, max]</c>.</summary>
    public string Describe() =>
        NonFinite > 0 ? NonFiniteKinds()
        : Count == 0 ? "empty"
        : string.Create(CultureInfo.InvariantCulture, $"finite, in [{Min:G4}, {Max:G4}]");
}
