using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Params;

/// <summary>
/// An immutable tree of tensors addressed by slash-separated paths (<c>blocks/2/attn/wq</c>), kept in ordinal
/// order so iteration, digests and checkpoints are deterministic. Parameters, gradients and optimizer moments
/// all share this type, so maps and zips work over any model.
/// </summary>
public sealed record Params<T>(ImmutableSortedDictionary<string, Tensor<T>> Tensors)
    where T : unmanaged, INumber<T>
{
    /// <summary>No parameters.</summary>
    public static Params<T> Empty { get; } = new(ImmutableSortedDictionary.Create<string, Tensor<T>>(StringComparer.Ordinal));

    /// <summary>Parameters from (path, tensor) pairs.</summary>
    public static Params<T> Of(IEnumerable<KeyValuePair<string, Tensor<T>>> items) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, items));

    /// <summary>The tensor at <paramref name="path"/>; the error lists the paths that exist.</summary>
    public Tensor<T> this[string path] => Tensors.TryGetValue(path, out var t)
        ? t
        : throw new KeyNotFoundException($"Params: no parameter at '{path}' (have: {string.Join(", ", Tensors.Keys)})");

    /// <summary>Whether a parameter exists at <paramref name="path"/>.</summary>
    public bool Contains(string path) => Tensors.ContainsKey(path);

    /// <summary>The paths, in ordinal order.</summary>
    public IEnumerable<string> Paths => Tensors.Keys;

    /// <summary>This tree with the tensor at <paramref name="path"/> added or replaced.</summary>
    public Params<T> With(string path, Tensor<T> tensor) => new(Tensors.SetItem(path, tensor));

    /// <summary>The total number of scalar parameters.</summary>
    public long Count => Tensors.Values.Sum(t => (long)t.Size);

    /// <summary>A new tree with <paramref name="f"/> applied to each (path, tensor).</summary>
    public Params<TOut> Map<TOut>(Func<string, Tensor<T>, Tensor<TOut>> f)
        where TOut : unmanaged, INumber<TOut> =>
        Params<TOut>.Of(Tensors.Select(kv => KeyValuePair.Create(kv.Key, f(kv.Key, kv.Value))));

    /// <summary>A new tree combining two trees with the same paths and shapes; the error names <paramref name="op"/> and the first path that differs.</summary>
    public Params<T> Zip(Params<T> other, Func<string, Tensor<T>, Tensor<T>, Tensor<T>> f, string op = "Params.Zip")
    {
        RequireSamePaths(other, op);
        return Of(Tensors.Select(kv => KeyValuePair.Create(kv.Key, f(kv.Key, kv.Value, other.Tensors[kv.Key]))));
    }

    /// <summary>A new tree combining three trees with the same paths and shapes; the error names <paramref name="op"/> and the first path that differs.</summary>
    public Params<T> Zip(Params<T> b, Params<T> c, Func<string, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> f, string op = "Params.Zip")
    {
        RequireSamePaths(b, op);
        RequireSamePaths(c, op);
        return Of(Tensors.Select(kv => KeyValuePair.Create(kv.Key, f(kv.Key, kv.Value, b.Tensors[kv.Key], c.Tensors[kv.Key]))));
    }

    /// <summary>Elementwise sum <c>this + other</c> of two trees with the same paths and shapes (applying updates to parameters).</summary>
    public Params<T> Add(Params<T> other) =>
        Zip(other, (_, x, y) => Tensor.Build<T>(x.Shape, z => TensorPrimitives.Add(x.Span, y.Span, z)), "Params.Add");

    /// <summary>Every element multiplied by <paramref name="factor"/>.</summary>
    public Params<T> Scale(T factor) => Map((_, x) => Tensor.Build<T>(x.Shape, y => TensorPrimitives.Multiply(x.Span, factor, y)));

    /// <summary>A tree of zeros with the same paths and shapes (the start of an optimizer's moments).</summary>
    public Params<T> ZerosLike() => Map((_, x) => Tensor.Zeros<T>(x.Shape));

    /// <summary>
    /// The global L2 norm <c>√(Σ x²)</c> over every element, accumulated in double: tensors in path order, each
    /// tensor's squares in eight fixed lanes (see <c>Reduce.SumOfSquares</c>).
    /// </summary>
    /// <remarks>
    /// The order is fixed and written out, not left to the vector width, so the result is the same bits on every
    /// machine. NaN if any element is NaN; overflows to ∞ only past <c>√(double.MaxValue)</c>.
    /// </remarks>
    public double GlobalNorm() => Math.Sqrt(Tensors.Values.Aggregate(0.0, (sum, t) => sum + Kernels.Reduce.SumOfSquares(t.Span)));

    /// <summary>The number of elements that are NaN or ±∞.</summary>
    public long NonFiniteCount()
    {
        long count = 0;
        foreach (var t in Tensors.Values)
        {
            // A finite sum of squares proves every element finite; only a tensor that fails it is counted.
            if (double.IsFinite(Kernels.Reduce.SumOfSquares(t.Span))) continue;
            foreach (var x in t.Span)
                if (!T.IsFinite(x)) count++;
        }
        return count;
    }

    /// <summary>
    /// SHA-256 as 64 lowercase hex digits over, for each path in order: the UTF-8 byte length of the path (int32
    /// little-endian), its bytes, the rank (int32), each dimension (int32), then the elements' raw little-endian bytes.
    /// </summary>
    /// <remarks>Two trees have the same digest exactly when they hold the same paths, shapes and bit patterns (NaN payloads and −0 included).</remarks>
    public string Digest()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (path, t) in Tensors)
        {
            var name = Encoding.UTF8.GetBytes(path);
            AppendInt32(sha, name.Length);
            sha.AppendData(name);
            AppendInt32(sha, t.Rank);
            foreach (var d in t.Shape) AppendInt32(sha, d);
            // The in-memory layout is little-endian on the platforms FunctionalNets supports (x64, Arm64).
            sha.AppendData(MemoryMarshal.AsBytes(t.Span));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void AppendInt32(IncrementalHash sha, int value)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(word, value);
        sha.AppendData(word);
    }

    /// <summary>Folds over (path, tensor) in path order.</summary>
    public TAcc Fold<TAcc>(TAcc seed, Func<TAcc, string, Tensor<T>, TAcc> f) =>
        Tensors.Aggregate(seed, (acc, kv) => f(acc, kv.Key, kv.Value));

    /// <summary>Throws unless both trees have exactly the same paths and shapes.</summary>
    public void RequireSamePaths(Params<T> other, string op)
    {
        // Both trees are in ordinal order, so one lockstep walk finds the first path that only one of them has.
        using var a = Tensors.GetEnumerator();
        using var b = other.Tensors.GetEnumerator();
        while (true)
        {
            var (hasA, hasB) = (a.MoveNext(), b.MoveNext());
            if (!hasA && !hasB) return;
            var order = !hasA ? 1 : !hasB ? -1 : string.CompareOrdinal(a.Current.Key, b.Current.Key);
            if (order != 0)
                throw new ArgumentException($"{op}: parameter trees differ at '{(order < 0 ? a.Current.Key : b.Current.Key)}'");
            if (a.Current.Value.Shape != b.Current.Value.Shape)
                throw new ArgumentException($"{op}: {a.Current.Key}: shapes differ, {a.Current.Value.Shape} vs {b.Current.Value.Shape}");
        }
    }

    /// <summary>A table of path, shape and element count, with the total.</summary>
    public string Summary()
    {
        var width = Math.Max(4, Tensors.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        sb.AppendLine($"{"path".PadRight(width)}  {"shape",-16} {"count",10}");
        foreach (var (path, t) in Tensors)
            sb.AppendLine($"{path.PadRight(width)}  {t.Shape,-16} {t.Size,10:N0}");
        sb.Append($"{"total".PadRight(width)}  {"",-16} {Count,10:N0}");
        return sb.ToString();
    }

    /// <summary>Equal when both hold the same paths with equal tensors.</summary>
    public bool Equals(Params<T>? other) =>
        other is not null && Tensors.Count == other.Tensors.Count &&
        Tensors.All(kv => other.Tensors.TryGetValue(kv.Key, out var t) && t.Equals(kv.Value));

    /// <inheritdoc/>
    public override int GetHashCode() => Tensors.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));
}
