using System.Numerics;
using System.Runtime.CompilerServices;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>Argument checks shared by the ops; every message names the op and the shapes or values involved.</summary>
internal static class Check
{
    /// <summary>Throws unless <paramref name="a"/> and <paramref name="b"/> have the same shape.</summary>
    public static void SameShape<T>(string op, Tensor<T> a, Tensor<T> b)
        where T : unmanaged, INumber<T>
    {
        if (a.Shape != b.Shape)
            throw new ArgumentException($"{op}: shapes must match, got {a.Shape} and {b.Shape}");
    }

    /// <summary>Throws unless <paramref name="x"/> has rank at least <paramref name="rank"/>.</summary>
    public static void MinRank<T>(string op, Tensor<T> x, int rank)
        where T : unmanaged, INumber<T>
    {
        if (x.Rank < rank)
            throw new ArgumentException($"{op}: expected rank ≥ {rank}, got shape {x.Shape}");
    }

    /// <summary>
    /// Throws unless a mean has at least one element to average (<paramref name="count"/> &gt; 0): the one rule of
    /// <see cref="Mean"/> and the mean losses, so an empty batch is an error rather than a loss of 0 or NaN.
    /// </summary>
    /// <remarks><paramref name="what"/> is formatted only when it is needed, for the error: a loss checks this on every call.</remarks>
    internal static void Averages(string op, int count, [InterpolatedStringHandlerArgument(nameof(count))] ref EmptyMessage what)
    {
        if (count == 0)
            throw new ArgumentException($"{op}: nothing to average ({what.ToStringAndClear()}); the mean of no elements is undefined, so an empty batch is an error");
    }

    /// <summary>The description in <see cref="Averages"/>'s error, formatted only when the count is 0.</summary>
    [InterpolatedStringHandler]
    internal ref struct EmptyMessage
    {
        private DefaultInterpolatedStringHandler text;

        public EmptyMessage(int literalLength, int formattedCount, int count, out bool format)
        {
            format = count == 0;
            text = format ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string s) => text.AppendLiteral(s);

        public void AppendFormatted<TValue>(TValue value) => text.AppendFormatted(value);

        public string ToStringAndClear() => text.ToStringAndClear();
    }

    /// <summary>Throws unless the cotangent of a scalar-valued op is a single number.</summary>
    internal static void ScalarCotangent<T>(string op, Tensor<T> dy)
        where T : unmanaged, INumber<T>
    {
        if (dy.Size != 1)
            throw new ArgumentException($"{op}: dy must be a single number (the loss is a scalar), got shape {dy.Shape}");
    }

    /// <summary>
    /// Throws unless every entry of <paramref name="ids"/> lies in <c>[0, n)</c>, skipping entries equal to
    /// <paramref name="ignore"/>. The message names the op, the offending value, its position and n.
    /// </summary>
    internal static void InRange(string op, string what, Tensor<int> ids, int n, int? ignore = null)
    {
        var s = ids.Span;
        for (var i = 0; i < s.Length; i++)
            if ((uint)s[i] >= (uint)n && s[i] != ignore)
                throw new ArgumentException($"{op}: {what} {s[i]} at position {Position(ids.Shape, i)} is out of range for V = {n}");
    }

    /// <summary>The multi-index of flat offset <paramref name="flat"/> in a row-major <paramref name="shape"/>, as <c>[i, j]</c>.</summary>
    private static string Position(Shape shape, int flat)
    {
        var index = new int[shape.Rank];
        for (var a = shape.Rank - 1; a >= 0; a--)
        {
            index[a] = flat % shape[a];
            flat /= shape[a];
        }
        return $"[{string.Join(", ", index)}]";
    }
}
