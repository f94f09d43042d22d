using System.Collections.Immutable;
using System.Numerics;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Optim;

public static partial class Optimizer
{
    /// <summary>
    /// Optax's <c>masked</c>: <paramref name="inner"/> transforms the parameters <paramref name="mask"/> selects
    /// (by path and value), and the others' updates pass through unchanged: <c>u = inner(g_S)</c> on the selected set
    /// S, <c>u = g</c> elsewhere. The state is <paramref name="inner"/>'s, over S alone.
    /// </summary>
    /// <remarks>
    /// The mask is evaluated on the parameters at <c>Init</c> and at every update, so it must depend only on what
    /// stays fixed (paths and shapes), as the selection would otherwise drift from the state's trees.
    /// </remarks>
    public static Transform<T> Masked<T>(Transform<T> inner, Func<string, Tensor<T>, bool> mask)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(p => inner.Init(Subtree(p, Selection(p, mask))),
            (g, s, p) =>
            {
                g.RequireSamePaths(p, nameof(Masked));
                var selected = Selection(p, mask);
                var (u, next) = inner.Update(Subtree(g, selected), s, Subtree(p, selected));
                var merged = new Tensor<T>[g.PathCount];
                for (int i = 0, j = 0; i < merged.Length; i++) merged[i] = selected[i] ? u.At(j++) : g.At(i);
                return (g.WithTensors(merged), next);
            });

    /// <summary>Optax's <c>set_to_zero</c>: <c>u = 0</c> (stateless).</summary>
    public static Transform<T> SetToZero<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Stateless<T>((g, _, _) => g.ZerosLike());

    /// <summary>
    /// Optax's <c>freeze</c>: zero updates for the parameters <paramref name="frozen"/> selects, <c>Masked(SetToZero, frozen)</c>.
    /// Put it last in a chain (<c>Chain(AdamW(…), Freeze(mask))</c>), so that nothing after it (weight decay, a
    /// momentum's memory) moves a frozen parameter.
    /// </summary>
    public static Transform<T> Freeze<T>(Func<string, Tensor<T>, bool> frozen)
        where T : unmanaged, IFloatingPointIeee754<T> => Masked(SetToZero<T>(), frozen);

    /// <summary>
    /// Optax's <c>multi_transform</c>: <paramref name="label"/> puts every parameter in a group, and each group is
    /// updated by its own transformation in <paramref name="transforms"/> (a learning rate per group, frozen groups
    /// with <see cref="SetToZero{T}"/>, weight decay for some groups only). Group <c>L</c>'s trees live under the
    /// names prefixed <c>L/</c>; all groups share the step.
    /// </summary>
    /// <remarks>
    /// Groups run in ordinal order of their labels. A label without a transformation is an error naming the
    /// parameter and the labels there are; a label must be non-empty and contain no <c>/</c>. A group no parameter
    /// falls in still runs, on an empty tree. Like a mask, the labelling must depend only on paths and shapes.
    /// </remarks>
    public static Transform<T> MultiTransform<T>(IReadOnlyDictionary<string, Transform<T>> transforms, Func<string, Tensor<T>, string> label)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var labels = transforms.Keys.Order(StringComparer.Ordinal).ToImmutableArray();
        foreach (var l in labels)
            if (l.Length == 0 || l.Contains('/'))
                throw new ArgumentException($"Optimizer.MultiTransform: label '{l}' must be non-empty and contain no '/'");
        var members = labels.Select(l => transforms[l]).ToImmutableArray();
        var prefixes = labels.Select(l => l + "/").ToImmutableArray();
        return new Transform<T>(
            p =>
            {
                var groups = Groups(p, label, labels);
                return new OptState<T>(0, Merge(prefixes, [.. members.Select((t, k) => t.Init(Subtree(p, groups[k])))]));
            },
            (g, s, p) =>
            {
                g.RequireSamePaths(p, nameof(MultiTransform));
                var groups = Groups(p, label, labels);
                var (merged, states) = (new Tensor<T>[g.PathCount], new OptState<T>[members.Length]);
                for (var k = 0; k < members.Length; k++)
                {
                    Params<T> u;
                    (u, states[k]) = members[k].Update(Subtree(g, groups[k]), Member(s, prefixes[k]), Subtree(p, groups[k]));
                    for (int i = 0, j = 0; i < merged.Length; i++)
                        if (groups[k][i]) merged[i] = u.At(j++);
                }
                return (g.WithTensors(merged), new OptState<T>(s.Step + 1, Merge(prefixes, states)));
            });
    }

    // Which positions of the tree the mask selects.
    private static bool[] Selection<T>(Params<T> p, Func<string, Tensor<T>, bool> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var selected = new bool[p.PathCount];
        for (var i = 0; i < selected.Length; i++) selected[i] = mask(p.PathAt(i), p.At(i));
        return selected;
    }

    // One selection per label (in label order): which positions carry that label.
    private static bool[][] Groups<T>(Params<T> p, Func<string, Tensor<T>, string> label, ImmutableArray<string> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var groups = labels.Select(_ => new bool[p.PathCount]).ToArray();
        for (var i = 0; i < p.PathCount; i++)
        {
            var l = label(p.PathAt(i), p.At(i));
            var k = labels.IndexOf(l, StringComparer.Ordinal);
            if (k < 0)
                throw new ArgumentException($"Optimizer.MultiTransform: {p.PathAt(i)} is labelled '{l}', which has no transformation (have: {string.Join(", ", labels)})");
            groups[k][i] = true;
        }
        return groups;
    }

    // The tree of the selected positions, in path order.
    private static Params<T> Subtree<T>(Params<T> p, bool[] selected)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Params<T>.Of(Enumerable.Range(0, p.PathCount).Where(i => selected[i]).Select(i => KeyValuePair.Create(p.PathAt(i), p.At(i))));
}

public static partial class ParamMask
{
    /// <summary>The parameters at or under any of <paramref name="prefixes"/> (<c>"blocks/0"</c> selects <c>blocks/0/attn/wq</c>, not <c>blocks/01</c>).</summary>
    public static Func<string, Tensor<T>, bool> Under<T>(params string[] prefixes)
        where T : unmanaged, INumber<T> => (path, _) => prefixes.Any(prefix => IsUnder(path, prefix));

    /// <summary>The parameters <paramref name="mask"/> does not select.</summary>
    public static Func<string, Tensor<T>, bool> Not<T>(Func<string, Tensor<T>, bool> mask)
        where T : unmanaged, INumber<T> => (path, value) => !mask(path, value);

    internal static bool IsUnder(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');
}

/// <summary>Ready-made labellings for <see cref="Optimizer.MultiTransform{T}"/>.</summary>
public static class ParamLabel
{
    /// <summary>
    /// The label of the first rule whose prefix the path is at or under (as <see cref="ParamMask.Under{T}"/>), else
    /// <paramref name="otherwise"/>: <c>ByPrefix("body", ("head", "head"), ("wte", "embeddings"))</c>.
    /// </summary>
    public static Func<string, Tensor<T>, string> ByPrefix<T>(string otherwise, params (string Prefix, string Label)[] rules)
        where T : unmanaged, INumber<T> => (path, _) =>
    {
        foreach (var (prefix, l) in rules)
            if (ParamMask.IsUnder(path, prefix)) return l;
        return otherwise;
    };
}
