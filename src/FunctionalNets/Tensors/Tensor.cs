using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace FunctionalNets.Tensors;

/// <summary>Fills a freshly allocated tensor buffer; the only place a tensor's elements are ever written.</summary>
public delegate void Fill<T>(Span<T> y);

/// <summary>A fill that reads its inputs from <paramref name="state"/> rather than from captured variables.</summary>
internal delegate void Fill<T, in TState>(TState state, Span<T> y);

/// <summary>
/// An immutable tensor: a <see cref="Tensors.Shape"/> and a contiguous row-major buffer that nothing can write
/// after construction. Build one with the factories on <see cref="Tensor"/>; read it through <see cref="Span"/>.
/// </summary>
/// <remarks>
/// Equality is by value: same shape and the same elements as <c>T.Equals</c> compares them (<c>0</c> equals <c>−0</c>,
/// <c>NaN</c> equals <c>NaN</c>), and the hash code agrees with it, so tensors work as keys of dictionaries and
/// sets. <see cref="BitEquals"/> is the stricter comparison of the bits (the one determinism tests use).
/// </remarks>
public sealed class Tensor<T> : IEquatable<Tensor<T>>
    where T : unmanaged, INumber<T>
{
    private readonly T[] data;

    /// <summary>Takes ownership of <paramref name="data"/>; callers hand over a buffer nobody else holds.</summary>
    internal Tensor(Shape shape, T[] data)
    {
        if (shape.Size != data.Length) throw SizeMismatch(shape, data.Length);
        Shape = shape;
        this.data = data;
    }

    // Out of line, so the constructor every op calls stays small enough to inline.
    private static ArgumentException SizeMismatch(Shape shape, int length) => new($"Tensor: shape {shape} needs {shape.Size} elements, got {length}");

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>The elements in row-major order, as an immutable view over the buffer (no copy).</summary>
    public ImmutableArray<T> Data => ImmutableCollectionsMarshal.AsImmutableArray(data);

    /// <summary>Read access to the elements in row-major order.</summary>
    public ReadOnlySpan<T> Span => data;

    /// <summary>Read access as memory, for kernels that partition work across threads.</summary>
    /// <remarks>Internal: <c>MemoryMarshal.TryGetArray</c> on it would hand out the writable buffer.</remarks>
    internal ReadOnlyMemory<T> Memory => data;

    /// <summary>The number of axes.</summary>
    public int Rank => Shape.Rank;

    /// <summary>The number of elements.</summary>
    public int Size => data.Length;

    /// <summary>Dimension of an axis; negative axes count from the end.</summary>
    public int Dim(int axis) => Shape[axis];

    /// <summary>The element at a multi-index (row-major).</summary>
    public T this[params ReadOnlySpan<int> index]
    {
        get
        {
            if (index.Length != Rank)
                throw new ArgumentException($"Tensor index: rank {Rank} tensor {Shape} indexed with {index.Length} indices");
            var offset = 0;
            for (var i = 0; i < index.Length; i++)
            {
                if ((uint)index[i] >= (uint)Shape[i])
                    throw new IndexOutOfRangeException($"Tensor index: index {index[i]} out of range for axis {i} of {Shape}");
                offset = offset * Shape[i] + index[i];
            }
            return data[offset];
        }
    }

    /// <summary>The single element of a one-element tensor.</summary>
    public T ToScalar() => Size == 1 ? data[0] : throw new InvalidOperationException($"Tensor.ToScalar: shape {Shape} has {Size} elements, not 1");

    /// <summary>The frozen buffer itself, for views that share it (reshape); never written.</summary>
    internal T[] UnsafeBuffer() => data;

    /// <summary>A copy of the elements as a new array.</summary>
    public T[] ToArray() => data.AsSpan().ToArray();

    /// <summary>Same shape and same elements by <c>T.Equals</c> (0 equals −0; NaN equals NaN).</summary>
    public bool Equals(Tensor<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || (Shape == other.Shape && data.AsSpan().SequenceEqual(other.data)));

    /// <summary>Same shape and bit-identical elements (distinguishes <c>0</c> from <c>-0</c> and NaN payloads).</summary>
    public bool BitEquals(Tensor<T> other) =>
        Shape == other.Shape && MemoryMarshal.AsBytes(data.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(other.data.AsSpan()));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Tensor<T>);

    /// <summary>A hash of the shape and the elements that agrees with <see cref="Equals(Tensor{T})"/>.</summary>
    /// <remarks>Element by element through <c>T.GetHashCode</c>, which gives 0 and −0 (and every NaN) one hash; hashing the bytes would not.</remarks>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Shape);
        foreach (var v in data) h.Add(v);
        return h.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Tensor<T>? a, Tensor<T>? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Tensor<T>? a, Tensor<T>? b) => !(a == b);

    /// <summary>Prints the shape and the elements as nested brackets; tensors over 64 elements are elided.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder($"Tensor<{typeof(T).Name}>{Shape} ");
        if (Size > 64)
        {
            sb.Append('[');
            for (var i = 0; i < 3; i++) sb.Append(Format(data[i])).Append(", ");
            sb.Append("…, ");
            for (var i = Size - 3; i < Size; i++) sb.Append(Format(data[i])).Append(i < Size - 1 ? ", " : "]");
            return sb.ToString();
        }
        var pos = 0;
        Append(sb, 0, ref pos);
        return sb.ToString();
    }

    private void Append(StringBuilder sb, int axis, ref int pos)
    {
        if (axis == Rank)
        {
            sb.Append(Format(data[pos++]));
            return;
        }
        sb.Append('[');
        for (var i = 0; i < Shape[axis]; i++)
        {
            if (i > 0) sb.Append(", ");
            Append(sb, axis + 1, ref pos);
        }
        sb.Append(']');
    }

    private static string Format(T v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
