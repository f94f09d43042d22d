using System.Buffers.Binary;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using FunctionalNets.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace FunctionalNets.Parameters;

/// <summary>
/// An immutable tree of tensors addressed by slash-separated paths (<c>blocks/2/attn/wq</c>), kept in ordinal
/// order so iteration, digests and checkpoints are deterministic. Parameters, gradients and optimizer moments
/// all share this type, so maps and zips work over any model. Enumerating it yields (path, tensor) pairs in
/// path order.
/// </summary>
/// <remarks>
/// Stored as two parallel arrays, the paths in ordinal order and their tensors. <see cref="Map{TOut}"/>,
/// <see cref="Zip(Params{T}, Func{string, Tensor{T}, Tensor{T}, Tensor{T}}, string)"/> and a
/// <see cref="With"/> that replaces a tensor share the path array, so trees derived from one another (parameters,
/// gradients, updates, moments) are known to hold the same paths without comparing them; lookups are a binary search.
/// </remarks>
public sealed record Params<T> : IEnumerable<KeyValuePair<string, Tensor<T>>>
    where T : unmanaged, INumber<T>
{
    private readonly string[] paths;
    private readonly Tensor<T>[] tensors;

    // The global norm once computed, boxed so that a reader on another thread sees all of it or nothing.
    private object? globalNorm;

    // Takes ownership of both arrays: paths distinct and in ordinal order, tensors[i] at paths[i].
    private Params(string[] paths, Tensor<T>[] tensors) => (this.paths, this.tensors) = (paths, tensors);

    /// <summary>No parameters.</summary>
    public static Params<T> Empty { get; } = new([], []);

    /// <summary>Parameters from (path, tensor) pairs in any order; a path given twice is an error.</summary>
    public static Params<T> Of(IEnumerable<KeyValuePair<string, Tensor<T>>> items)
    {
        var pairs = items.ToArray();
        var (keys, values) = (Array.ConvertAll(pairs, kv => kv.Key), Array.ConvertAll(pairs, kv => kv.Value));
        Array.Sort(keys, values, StringComparer.Ordinal);
        for (var i = 1; i < keys.Length; i++)
            if (keys[i] == keys[i - 1])
                throw new ArgumentException($"Params.Of: path '{keys[i]}' given twice");
        return new(keys, values);
    }

    /// <summary>The tensor at <paramref name="path"/>; the error lists the paths that exist.</summary>
    public Tensor<T> this[string path] => TryGetValue(path, out var t) ? t : throw Missing(path);

    /// <summary>Whether a parameter exists at <paramref name="path"/>.</summary>
    public bool Contains(string path) => IndexOf(path) >= 0;

    /// <summary>The tensor at <paramref name="path"/>, if there is one.</summary>
    public bool TryGetValue(string path, [MaybeNullWhen(false)] out Tensor<T> tensor)
    {
        var i = IndexOf(path);
        tensor = i >= 0 ? tensors[i] : null;
        return i >= 0;
    }

    /// <summary>The paths, in ordinal order (a read-only view, no copy).</summary>
    public IReadOnlyList<string> Paths => Array.AsReadOnly(paths);

    /// <summary>The tensors, in the order of <see cref="Paths"/> (a read-only view, no copy).</summary>
    public IReadOnlyList<Tensor<T>> Tensors => Array.AsReadOnly(tensors);

    /// <summary>This tree with the tensor at <paramref name="path"/> added or replaced.</summary>
    public Params<T> With(string path, Tensor<T> tensor)
    {
        var i = IndexOf(path);
        if (i >= 0)
        {
            var replaced = tensors.AsSpan().ToArray();
            replaced[i] = tensor;
            return new(paths, replaced);
        }
        return new(Insert(paths, ~i, path), Insert(tensors, ~i, tensor));
    }

    /// <summary>The total number of scalar parameters.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (var t in tensors) count += t.Size;
            return count;
        }
    }

    /// <summary>A new tree with <paramref name="f"/> applied to each (path, tensor), in path order.</summary>
    public Params<TOut> Map<TOut>(Func<string, Tensor<T>, Tensor<TOut>> f)
        where TOut : unmanaged, INumber<TOut>
    {
        var ys = new Tensor<TOut>[tensors.Length];
        for (var i = 0; i < ys.Length; i++) ys[i] = f(paths[i], tensors[i]);
        return new(paths, ys);
    }

    /// <summary>A new tree combining two trees with the same paths and shapes; the error names <paramref name="op"/> and the first path that differs.</summary>
    public Params<T> Zip(Params<T> other, Func<string, Tensor<T>, Tensor<T>, Tensor<T>> f, string op = "Params.Zip")
    {
        RequireSamePaths(other, op);
        var ys = new Tensor<T>[tensors.Length];
        for (var i = 0; i < ys.Length; i++) ys[i] = f(paths[i], tensors[i], other.tensors[i]);
        return new(paths, ys);
    }

    /// <summary>A new tree combining three trees with the same paths and shapes; the error names <paramref name="op"/> and the first path that differs.</summary>
    public Params<T> Zip(Params<T> b, Params<T> c, Func<string, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> f, string op = "Params.Zip")
    {
        RequireSamePaths(b, op);
        RequireSamePaths(c, op);
        var ys = new Tensor<T>[tensors.Length];
        for (var i = 0; i < ys.Length; i++) ys[i] = f(paths[i], tensors[i], b.tensors[i], c.tensors[i]);
        return new(paths, ys);
    }

    /// <summary>Elementwise sum <c>this + other</c> of two trees with the same paths and shapes (applying updates to parameters).</summary>
    public Params<T> Add(Params<T> other)
    {
        RequireSamePaths(other, "Params.Add");
        return Kernels.TreeWide.Forks(Count)
            ? Elementwise(y => Kernels.TreeWide.Add(Buffers(tensors), Buffers(other.tensors), y))
            : TensorByTensor(other, T.Zero, static (a, b, _, y) => TensorPrimitives.Add(a, b, y));
    }

    /// <summary>Every element multiplied by <paramref name="factor"/>.</summary>
    public Params<T> Scale(T factor) => Kernels.TreeWide.Forks(Count)
        ? Elementwise(y => Kernels.TreeWide.Multiply(Buffers(tensors), factor, y))
        : TensorByTensor(this, factor, static (x, _, f, y) => TensorPrimitives.Multiply(x, f, y));

    private delegate void TensorOp(ReadOnlySpan<T> a, ReadOnlySpan<T> b, T factor, Span<T> y);

    // A tree too small for TreeWide to fork is combined here tensor by tensor, the same operations without the job's
    // bookkeeping, which for a tree of tiny tensors (W5's) costs several times the arithmetic.
    private Params<T> TensorByTensor(Params<T> other, T factor, TensorOp op)
    {
        var ys = new Tensor<T>[tensors.Length];
        for (var i = 0; i < ys.Length; i++)
        {
            var y = Tensor.Uninitialized<T>(tensors[i].Size);
            op(tensors[i].Span, other.tensors[i].Span, factor, y);
            ys[i] = new Tensor<T>(tensors[i].Shape, y);
        }
        return new(paths, ys);
    }

    private static ReadOnlyMemory<T>[] Buffers(Tensor<T>[] ts) => Array.ConvertAll(ts, t => t.Memory);

    // A tree of this one's paths and shapes whose buffers fill writes, all tensors in one job (Kernels.TreeWide).
    private Params<T> Elementwise(Action<T[][]> fill)
    {
        var buffers = Array.ConvertAll(tensors, t => Tensor.Uninitialized<T>(t.Size));
        fill(buffers);
        var ys = new Tensor<T>[tensors.Length];
        for (var i = 0; i < ys.Length; i++) ys[i] = new Tensor<T>(tensors[i].Shape, buffers[i]);
        return new(paths, ys);
    }

    /// <summary>A tree of zeros with the same paths and shapes (the start of an optimizer's moments).</summary>
    public Params<T> ZerosLike() => Map((_, x) => Tensor.Zeros<T>(x.Shape));

    /// <summary>
    /// The global L2 norm <c>√(Σ x²)</c> over every element, accumulated in double: tensors in path order, each
    /// tensor's squares in eight fixed lanes (see <c>Reduce.SumOfSquares</c>).
    /// </summary>
    /// <remarks>
    /// The order is fixed and written out, not left to the vector width, so the result is the same bits on every
    /// machine. NaN if any element is NaN; overflows to ∞ only past <c>√(double.MaxValue)</c>. The tensors' sums are
    /// split between threads (each is one tensor's, whoever computes it) and added in path order; the tree never
    /// changes, so the norm is computed once and kept (a step's gradient norm is asked for by clipping and the report).
    /// </remarks>
    public double GlobalNorm()
    {
        if (globalNorm is double known) return known;
        var sums = new double[tensors.Length];
        Kernels.Partition.For(tensors.Length, Count / Math.Max(1, tensors.Length), new SquareSums(tensors, sums));
        var sum = 0.0;
        foreach (var s in sums) sum += s;
        var norm = Math.Sqrt(sum);
        globalNorm = norm;
        return norm;
    }

    private readonly struct SquareSums(Tensor<T>[] tensors, double[] sums) : Kernels.IRangeBody
    {
        public void Run(int start, int end)
        {
            for (var i = start; i < end; i++) sums[i] = Kernels.Reduce.SumOfSquares(tensors[i].Span);
        }
    }

    /// <summary>The number of elements that are NaN or ±∞.</summary>
    public long NonFiniteCount()
    {
        long count = 0;
        foreach (var t in tensors)
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
        foreach (var (header, data) in DigestParts())
        {
            sha.AppendData(header);
            sha.AppendData(MemoryMarshal.AsBytes(data.Span));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The byte stream <see cref="Digest"/> hashes, path by path: a header (the path's UTF-8 byte length as int32
    /// little-endian, its bytes, the rank, each dimension) and then the tensor, whose elements' raw bytes follow.
    /// </summary>
    internal IEnumerable<(byte[] Header, Tensor<T> Data)> DigestParts()
    {
        for (var i = 0; i < paths.Length; i++)
        {
            var (name, t) = (Encoding.UTF8.GetBytes(paths[i]), tensors[i]);
            var header = new byte[4 + name.Length + 4 * (1 + t.Rank)];
            BinaryPrimitives.WriteInt32LittleEndian(header, name.Length);
            name.CopyTo(header, 4);
            var at = 4 + name.Length;
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(at), t.Rank);
            foreach (var d in t.Shape) BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(at += 4), d);
            // The in-memory layout is little-endian on the platforms FunctionalNets supports (x64, Arm64).
            yield return (header, t);
        }
    }

    /// <summary>Folds over (path, tensor) in path order.</summary>
    public TAcc Fold<TAcc>(TAcc seed, Func<TAcc, string, Tensor<T>, TAcc> f)
    {
        var acc = seed;
        for (var i = 0; i < paths.Length; i++) acc = f(acc, paths[i], tensors[i]);
        return acc;
    }

    /// <summary>
    /// Throws unless both trees have exactly the same paths and shapes; the error names <paramref name="op"/> and
    /// the first path, in ordinal order, that only one tree has or whose shapes differ.
    /// </summary>
    public void RequireSamePaths(Params<T> other, string op)
    {
        // Both trees are in ordinal order, so one lockstep walk finds the first difference. Trees derived from
        // one another share their path array, which proves the paths equal; only the shapes are then compared.
        var samePaths = ReferenceEquals(paths, other.paths);
        var common = Math.Min(paths.Length, other.paths.Length);
        for (var i = 0; i < common; i++)
        {
            if (!samePaths && !string.Equals(paths[i], other.paths[i], StringComparison.Ordinal))
                throw Differ(op, string.CompareOrdinal(paths[i], other.paths[i]) < 0 ? paths[i] : other.paths[i]);
            if (tensors[i].Shape != other.tensors[i].Shape)
                throw new ArgumentException($"{op}: {paths[i]}: shapes differ, {tensors[i].Shape} vs {other.tensors[i].Shape}");
        }
        if (paths.Length != other.paths.Length)
            throw Differ(op, paths.Length > common ? paths[common] : other.paths[common]);
    }

    private static ArgumentException Differ(string op, string path) => new($"{op}: parameter trees differ at '{path}'");

    /// <summary>Equal when both hold the same paths with equal tensors.</summary>
    public bool Equals(Params<T>? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || paths.Length != other.paths.Length) return false;
        for (var i = 0; i < paths.Length; i++)
            if (!string.Equals(paths[i], other.paths[i], StringComparison.Ordinal) || !tensors[i].Equals(other.tensors[i]))
                return false;
        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode() => Fold(0, (h, path, t) => HashCode.Combine(h, path, t));

    /// <summary>The (path, tensor) pairs in path order, without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, Tensor<T>>> IEnumerable<KeyValuePair<string, Tensor<T>>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Walks a tree's (path, tensor) pairs in path order.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, Tensor<T>>>
    {
        private readonly Params<T> tree;
        private int index;

        internal Enumerator(Params<T> tree) => (this.tree, index) = (tree, -1);

        /// <summary>The pair at the current position.</summary>
        public readonly KeyValuePair<string, Tensor<T>> Current => new(tree.paths[index], tree.tensors[index]);

        readonly object IEnumerator.Current => Current;

        /// <summary>Advances to the next pair; false after the last.</summary>
        public bool MoveNext() => ++index < tree.paths.Length;

        /// <summary>Goes back to before the first pair.</summary>
        public void Reset() => index = -1;

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose() { }
    }

    // The position of path, or a negative number when it is absent.
    internal int IndexOf(string path)
    {
        // Array.BinarySearch's result convention, with the ordinal comparison called directly (no comparer interface):
        // every parameter read of a step looks its path up here.
        var (lo, hi) = (0, paths.Length - 1);
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var order = string.CompareOrdinal(paths[mid], path);
            if (order == 0) return mid;
            if (order < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return ~lo;
    }

    // The number of paths, and the tensor and path at a position (in path order).
    internal int PathCount => paths.Length;

    internal Tensor<T> At(int index) => tensors[index];

    // The tensors in path order without a wrapper or an enumerator, for the loops a training step runs.
    internal ReadOnlySpan<Tensor<T>> TensorSpan => tensors;

    internal string PathAt(int index) => paths[index];

    // The error for a lookup of a path that is absent; it lists the paths that exist.
    internal KeyNotFoundException Missing(string path) => new($"Params: no parameter at '{path}' (have: {string.Join(", ", paths)})");

    // A tree with this one's paths and the given tensors (one per path, same order), sharing the path array.
    internal Params<TOut> WithTensors<TOut>(Tensor<TOut>[] values)
        where TOut : unmanaged, INumber<TOut> =>
        values.Length == paths.Length
            ? new(paths, values)
            : throw new ArgumentException($"Params: {values.Length} tensors for {paths.Length} paths");

    private static TItem[] Insert<TItem>(TItem[] items, int at, TItem item)
    {
        var result = new TItem[items.Length + 1];
        Array.Copy(items, result, at);
        result[at] = item;
        Array.Copy(items, at, result, at + 1, items.Length - at);
        return result;
    }
}
