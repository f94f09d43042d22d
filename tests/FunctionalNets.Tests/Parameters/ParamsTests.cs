using System.Security.Cryptography;
using System.Text;
using CsCheck;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Parameters;

public class ParamsTests
{
    private static Params<double> Tree(params (string Path, Tensor<double> Value)[] items) =>
        Params<double>.Of(items.Select(i => KeyValuePair.Create(i.Path, i.Value)));

    private static readonly Params<double> A = Tree(("b", Tensor.Vector(3.0, 4.0)), ("a/w", Tensor.Matrix([12.0])));
    private static readonly Params<double> B = Tree(("b", Tensor.Vector(0.5, -1.0)), ("a/w", Tensor.Matrix([2.0])));

    [Fact]
    public void Add_sums_elementwise_per_path()
    {
        var sum = A.Add(B);
        Assert.Equal(Tensor.Vector(3.5, 3.0), sum["b"]);
        Assert.Equal(Tensor.Matrix([14.0]), sum["a/w"]);
    }

    [Fact]
    public void Add_of_trees_with_different_paths_names_the_path()
    {
        var ex = Assert.Throws<ArgumentException>(() => A.Add(A.With("c", Tensor.Vector(1.0))));
        Assert.Equal("Params.Add: parameter trees differ at 'c'", ex.Message);
    }

    [Fact]
    public void Add_of_trees_with_different_shapes_names_the_path_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => A.Add(A.With("b", Tensor.Vector(1.0, 2.0, 3.0))));
        Assert.Equal("Params.Add: b: shapes differ, [2] vs [3]", ex.Message);
    }

    [Fact]
    public void Scale_multiplies_every_element()
    {
        var s = A.Scale(-0.5);
        Assert.Equal(Tensor.Vector(-1.5, -2.0), s["b"]);
        Assert.Equal(Tensor.Matrix([-6.0]), s["a/w"]);
    }

    [Fact]
    public void ZerosLike_keeps_paths_and_shapes()
    {
        var z = A.ZerosLike();
        Assert.Equal(A.Paths, z.Paths);
        Assert.Equal(Tensor.Vector(0.0, 0.0), z["b"]);
        Assert.Equal(Tensor.Matrix([0.0]), z["a/w"]);
    }

    [Fact]
    public void Zip_of_three_trees_passes_matching_tensors()
    {
        var r = A.Zip(B, A, (path, x, y, z) => Tensor.Vector(x.Span[0], y.Span[0], z.Span[0], path.Length));
        Assert.Equal(Tensor.Vector(3.0, 0.5, 3.0, 1.0), r["b"]);
        Assert.Equal(Tensor.Vector(12.0, 2.0, 12.0, 3.0), r["a/w"]);
        var ex = Assert.Throws<ArgumentException>(() => A.Zip(B, Params<double>.Empty, (_, x, _, _) => x, "Adam"));
        Assert.StartsWith("Adam: parameter trees differ at ", ex.Message);
    }

    [Fact]
    public void GlobalNorm_is_the_root_of_the_sum_of_squares_over_all_tensors()
    {
        // √(3² + 4² + 12²) = √169 = 13.
        Assert.Equal(13.0, A.GlobalNorm());
        Assert.Equal(13.0, Params<float>.Of([KeyValuePair.Create("x", Tensor.Vector(3f, 4f, 12f))]).GlobalNorm());
        Assert.Equal(0.0, Params<double>.Empty.GlobalNorm());
    }

    [Fact]
    public void A_tree_that_has_computed_its_norm_still_equals_one_that_has_not()
    {
        var (normed, fresh) = (Params<double>.Of(A), Params<double>.Of(A));
        Assert.Equal(13.0, normed.GlobalNorm());
        Assert.Equal(13.0, normed.GlobalNorm());
        Assert.Equal(fresh, normed);
        Assert.Equal(fresh.GetHashCode(), normed.GetHashCode());
    }

    [Fact]
    public void GlobalNorm_sums_tensors_in_path_order_each_in_eight_fixed_lanes() =>
        Gen.Double[-1e3, 1e3].Array[0, 40].Array[1, 4].Sample(arrays =>
        {
            var tree = Tree([.. arrays.Select((a, i) => ($"p{(char)('z' - i)}", Tensor.Vector<double>(a)))]);
            var sum = 0.0;
            foreach (var a in arrays.Reverse())
            {
                // The documented order: element i into lane i mod 8, lanes combined ((0+1)+(2+3))+((4+5)+(6+7)).
                var l = new double[8];
                for (var i = 0; i < a.Length; i++) l[i % 8] += a[i] * a[i];
                sum += ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
            }
            Assert.Equal(BitConverter.DoubleToInt64Bits(Math.Sqrt(sum)), BitConverter.DoubleToInt64Bits(tree.GlobalNorm()));
        });

    [Fact]
    public void GlobalNorm_of_floats_widens_each_element_to_double_in_the_same_lanes() =>
        Gen.Float[-1e3f, 1e3f].Array[0, 70].Sample(a =>
        {
            var tree = Params<float>.Empty.With("w", Tensor.Vector<float>(a));
            var l = new double[8];
            for (var i = 0; i < a.Length; i++) l[i % 8] += (double)a[i] * a[i];
            var expected = Math.Sqrt(((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7])));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(tree.GlobalNorm()));
        });

    [Fact]
    public void NonFiniteCount_counts_nan_and_infinities()
    {
        var t = Tree(("x", Tensor.Vector(double.NaN, 1.0, double.PositiveInfinity)), ("y", Tensor.Vector(double.NegativeInfinity, 0.0, -0.0)));
        Assert.Equal(3L, t.NonFiniteCount());
        Assert.Equal(0L, A.NonFiniteCount());
    }

    [Fact]
    public void Digest_is_sha256_of_the_documented_encoding()
    {
        // Built by hand from the layout in the doc: per path (sorted: "a/w" then "b") its UTF-8 length, bytes, rank,
        // dimensions, then the little-endian element bytes.
        var bytes = new List<byte>();
        bytes.AddRange(BitConverter.GetBytes(3));
        bytes.AddRange(Encoding.UTF8.GetBytes("a/w"));
        bytes.AddRange(BitConverter.GetBytes(2));
        bytes.AddRange(BitConverter.GetBytes(1));
        bytes.AddRange(BitConverter.GetBytes(1));
        bytes.AddRange(BitConverter.GetBytes(12.0));
        bytes.AddRange(BitConverter.GetBytes(1));
        bytes.AddRange(Encoding.UTF8.GetBytes("b"));
        bytes.AddRange(BitConverter.GetBytes(1));
        bytes.AddRange(BitConverter.GetBytes(2));
        bytes.AddRange(BitConverter.GetBytes(3.0));
        bytes.AddRange(BitConverter.GetBytes(4.0));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray())), A.Digest());
    }

    [Fact]
    public void Digest_changes_with_any_bit_of_a_value_or_a_path_or_a_shape()
    {
        var d = A.Digest();
        Assert.Matches("^[0-9a-f]{64}$", d);
        Assert.Equal(d, Tree(("a/w", Tensor.Matrix([12.0])), ("b", Tensor.Vector(3.0, 4.0))).Digest());
        Assert.NotEqual(d, A.With("b", Tensor.Vector(3.0, Math.BitIncrement(4.0))).Digest());
        Assert.NotEqual(d, A.With("b", Tensor.Vector(3.0, 4.0).Reshape([2, 1])).Digest());
        Assert.NotEqual(d, Tree(("b", Tensor.Vector(3.0, 4.0)), ("a/v", Tensor.Matrix([12.0]))).Digest());
        Assert.NotEqual(Tree(("x", Tensor.Vector(0.0))).Digest(), Tree(("x", Tensor.Vector(-0.0))).Digest());
    }

    [Fact]
    public void Arithmetic_leaves_its_inputs_unchanged()
    {
        var (a, b) = (A.Digest(), B.Digest());
        _ = A.Add(B);
        _ = A.Scale(3.0);
        _ = A.Zip(B, B, (_, x, _, _) => x);
        Assert.Equal(a, A.Digest());
        Assert.Equal(b, B.Digest());
    }

    [Fact]
    public void Of_keeps_paths_in_ordinal_order_and_enumerates_pairs_in_that_order()
    {
        // Ordinal order puts upper case before lower case and '/' (0x2F) before letters.
        var t = Tree(("b", Tensor.Vector(1.0)), ("B", Tensor.Vector(2.0)), ("a/w", Tensor.Vector(3.0)), ("a", Tensor.Vector(4.0)));
        Assert.Equal(["B", "a", "a/w", "b"], t.Paths);
        Assert.Equal([2.0, 4.0, 3.0, 1.0], t.Tensors.Select(x => x.Span[0]));
        Assert.Equal(["B", "a", "a/w", "b"], t.Select(kv => kv.Key));
        Assert.Equal(t.Paths, t.Fold(new List<string>(), (acc, path, _) => [.. acc, path]));
    }

    [Fact]
    public void Of_a_path_given_twice_names_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tree(("w", Tensor.Vector(1.0)), ("v", Tensor.Vector(1.0)), ("w", Tensor.Vector(2.0))));
        Assert.Equal("Params.Of: path 'w' given twice", ex.Message);
    }

    [Fact]
    public void Lookup_finds_every_path_and_a_missing_one_lists_the_paths()
    {
        Assert.True(A.TryGetValue("a/w", out var w));
        Assert.Equal(Tensor.Matrix([12.0]), w);
        Assert.False(A.TryGetValue("a", out _));
        Assert.True(A.Contains("b"));
        Assert.False(A.Contains("c"));
        var ex = Assert.Throws<KeyNotFoundException>(() => A["c"]);
        Assert.Equal("Params: no parameter at 'c' (have: a/w, b)", ex.Message);
    }

    [Fact]
    public void With_inserts_in_order_or_replaces_and_leaves_the_original_unchanged()
    {
        var inserted = A.With("a/v", Tensor.Vector(7.0)).With("c", Tensor.Vector(8.0)).With("0", Tensor.Vector(9.0));
        Assert.Equal(["0", "a/v", "a/w", "b", "c"], inserted.Paths);
        Assert.Equal(Tensor.Vector(7.0), inserted["a/v"]);
        var replaced = A.With("b", Tensor.Vector(5.0));
        Assert.Equal(A.Paths, replaced.Paths);
        Assert.Equal(Tensor.Vector(5.0), replaced["b"]);
        Assert.Equal(Tensor.Vector(3.0, 4.0), A["b"]);
        Assert.Equal(["a/w", "b"], A.Paths);
    }

    [Fact]
    public void Equality_is_by_paths_and_tensor_values()
    {
        var copy = Tree(("a/w", Tensor.Matrix([12.0])), ("b", Tensor.Vector(3.0, 4.0)));
        Assert.Equal(A, copy);
        Assert.Equal(A.GetHashCode(), copy.GetHashCode());
        Assert.True(A == copy);
        Assert.NotEqual(A, B);
        Assert.NotEqual(A, A.With("c", Tensor.Vector(1.0)));
        Assert.NotEqual(A, Tree(("a/v", Tensor.Matrix([12.0])), ("b", Tensor.Vector(3.0, 4.0))));
        Assert.Equal(A.Map((_, x) => x), A);
    }

    [Fact]
    public void Zip_of_trees_with_different_paths_names_the_first_differing_path()
    {
        var c = Tensor.Vector(1.0);
        // Extra, missing and renamed paths, before, between and after the common ones.
        Assert.Equal("Zip: parameter trees differ at 'a'", ZipError(A.With("a", c), A));
        Assert.Equal("Zip: parameter trees differ at 'a'", ZipError(A, A.With("a", c)));
        Assert.Equal("Zip: parameter trees differ at 'c'", ZipError(A, A.With("c", c)));
        Assert.Equal("Zip: parameter trees differ at 'a/v'", ZipError(Tree(("a/v", Tensor.Matrix([1.0])), ("b", c)), Tree(("a/w", Tensor.Matrix([1.0])), ("b", c))));
        Assert.Equal("Zip: parameter trees differ at 'a/w'", ZipError(A, Params<double>.Empty));
    }

    [Fact]
    public void Zip_of_trees_sharing_their_paths_still_checks_shapes()
    {
        // Map, Zip and a replacing With share the path array; the shapes must still be compared.
        var reshaped = A.Map((path, x) => path == "b" ? x.Reshape([2, 1]) : x);
        Assert.Equal("Zip: b: shapes differ, [2] vs [2, 1]", ZipError(A, reshaped));
        Assert.Equal("Zip: b: shapes differ, [2] vs [3]", ZipError(A, A.With("b", Tensor.Vector(1.0, 2.0, 3.0))));
        Assert.Equal("Zip: b: shapes differ, [2] vs [2, 1]", Assert.Throws<ArgumentException>(() => A.Zip(A, reshaped, (_, x, _, _) => x, "Zip")).Message);
    }

    private static string ZipError(Params<double> a, Params<double> b) =>
        Assert.Throws<ArgumentException>(() => a.Zip(b, (_, x, _) => x, "Zip")).Message;

    [Fact]
    public void Lookups_find_every_path_and_place_a_missing_one_where_the_ordinal_order_puts_it()
    {
        // Paths of one to three letters over a small alphabet, so that prefixes, neighbours and misses all occur.
        var path = Gen.String[Gen.Char["ab/"], 1, 3];
        Gen.Select(path.HashSet[0, 12], path).Sample((paths, probe) =>
        {
            var tree = Params<float>.Of(paths.Select(p => KeyValuePair.Create(p, Tensor.Vector(1f))));
            var sorted = paths.Order(StringComparer.Ordinal).ToArray();
            return tree.IndexOf(probe) == Array.BinarySearch(sorted, probe, StringComparer.Ordinal)
                && sorted.Select((p, i) => tree.IndexOf(p) == i).All(found => found);
        }, iter: OpLaws.Iterations);
    }
}
