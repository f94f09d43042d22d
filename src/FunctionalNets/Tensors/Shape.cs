using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FunctionalNets.Tensors;

/// <summary>The dimensions of a tensor, outermost first (row-major). An empty shape is a scalar. Write one as <c>[2, 3]</c>.</summary>
[CollectionBuilder(typeof(Shape), nameof(Of))]
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] dims;

    private Shape(int[] dims)
    {
        foreach (var d in dims)
            if (d < 0)
                throw new ArgumentException($"Shape: dimensions must be non-negative, got [{string.Join(", ", dims)}]");
        this.dims = dims;
        Size = Elements(dims);
    }

    // The product of the dimensions, or an error when it is more than an array can hold.
    private static int Elements(int[] dims)
    {
        if (Array.IndexOf(dims, 0) >= 0) return 0;
        long size = 1;
        foreach (var d in dims)
        {
            size *= d; // both factors ≤ Array.MaxLength < 2³¹, so the product fits in a long
            if (size > Array.MaxLength)
                throw new ArgumentException(
                    $"Shape: [{string.Join(", ", dims)}] has {dims.Aggregate(System.Numerics.BigInteger.One, (p, x) => p * x)} elements, more than the {Array.MaxLength} a tensor can hold");
        }
        return (int)size;
    }

    /// <summary>A shape from its dimensions (copied).</summary>
    public static Shape Of(params ReadOnlySpan<int> dims) => new(dims.ToArray());

    /// <summary>The scalar shape <c>[]</c>.</summary>
    public static Shape Scalar { get; } = new([]);

    /// <summary>Converts an array of dimensions to a shape.</summary>
    public static implicit operator Shape(int[] dims) => Of(dims);

    /// <summary>The dimensions, outermost first.</summary>
    public ImmutableArray<int> Dims => ImmutableCollectionsMarshal.AsImmutableArray(dims);

    /// <summary>The number of axes.</summary>
    public int Rank => dims.Length;

    /// <summary>The number of axes (as a list of dimensions).</summary>
    public int Count => dims.Length;

    /// <summary>The dimensions, outermost first.</summary>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public int Size { get; }

    /// <summary>Dimension of an axis; negative axes count from the end (<c>-1</c> is the last).</summary>
    public int this[int axis] => dims[Axis(axis, "Shape")];

    /// <summary>Normalises a possibly negative axis, throwing an error naming <paramref name="op"/> when out of range.</summary>
    public int Axis(int axis, string op)
    {
        var a = axis < 0 ? axis + dims.Length : axis;
        if ((uint)a >= (uint)dims.Length) throw AxisOutOfRange(axis, op);
        return a;
    }

    // Out of line, so Axis, which the ops call on every use, stays small enough to inline.
    private ArgumentException AxisOutOfRange(int axis, string op) => new($"{op}: axis {axis} is out of range for shape {this}");

    /// <summary>Row-major strides in elements.</summary>
    public int[] Strides()
    {
        var s = new int[dims.Length];
        var acc = 1;
        for (var i = dims.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /// <summary>Product of the dimensions in <c>[from, to)</c>.</summary>
    public int SizeOf(int from, int to)
    {
        var p = 1;
        for (var i = from; i < to; i++) p *= dims[i];
        return p;
    }

    /// <summary>This shape with axis <paramref name="axis"/> replaced by <paramref name="dim"/>.</summary>
    public Shape WithDim(int axis, int dim)
    {
        var a = Axis(axis, "Shape.WithDim");
        if (dims[a] == dim) return this; // shapes are immutable, so an unchanged one is shared
        var d = dims.AsSpan().ToArray();
        d[a] = dim;
        return new Shape(d);
    }

    /// <summary>
    /// Whether this shape equals <c>other.WithDim(axis, dim)</c>, without building that shape: the ops check
    /// cotangents' shapes this way on every call.
    /// </summary>
    internal bool EqualsWithDim(Shape other, int axis, int dim)
    {
        if (dims.Length != other.dims.Length) return false;
        var a = other.Axis(axis, "Shape.EqualsWithDim");
        return dims[a] == dim && dims.AsSpan(0, a).SequenceEqual(other.dims.AsSpan(0, a))
            && dims.AsSpan(a + 1).SequenceEqual(other.dims.AsSpan(a + 1));
    }

    /// <summary>Whether this shape equals <c>other.Without(-1)</c>, without building that shape.</summary>
    internal bool EqualsWithoutLast(Shape other) =>
        other.dims.Length == dims.Length + 1 && dims.AsSpan().SequenceEqual(other.dims.AsSpan(0, dims.Length));

    /// <summary>This shape with axis <paramref name="axis"/> removed.</summary>
    public Shape Without(int axis)
    {
        var a = Axis(axis, "Shape.Without");
        return new Shape([.. dims[..a], .. dims[(a + 1)..]]);
    }

    /// <summary>A copy of the dimensions as a new array.</summary>
    public int[] ToArray() => dims.AsSpan().ToArray();

    /// <inheritdoc/>
    public bool Equals(Shape? other) => ReferenceEquals(this, other) || (other is not null && dims.AsSpan().SequenceEqual(other.dims)); // ops share shapes, so the first test often decides

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Shape equality by dimensions.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Shape inequality by dimensions.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <summary>Prints as <c>[2, 3]</c>.</summary>
    public override string ToString() => $"[{string.Join(", ", dims)}]";
}
