using System.Collections.Immutable;
using System.Numerics;
using FunctionalNets.Parameters;

namespace FunctionalNets.Optim;

/// <summary>
/// Gradient transformations (Optax verbs: <c>ScaleByAdam</c>, <c>ClipByGlobalNorm</c>, …), their composition and
/// the usual optimizers as chains of them (nouns: <c>Sgd</c>, <c>Adam</c>, <c>AdamW</c>).
/// </summary>
/// <remarks>
/// Update arithmetic is elementwise in <c>T</c> with hyperparameters rounded to <c>T</c>
/// once, in the order each member documents; the only reduction, the global norm, sums in path order and then index
/// order. So an update is the same bits on every machine and thread count.
/// </remarks>
public static partial class Optimizer
{
    /// <summary><c>params + updates</c>, elementwise: the one way updates reach the parameters.</summary>
    public static Params<T> ApplyUpdates<T>(Params<T> parameters, Params<T> updates)
        where T : unmanaged, IFloatingPointIeee754<T> => parameters.Add(updates);

    /// <summary>Passes the updates through unchanged: <c>u = g</c>.</summary>
    public static Transform<T> Identity<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Stateless<T>((g, _, _) => g);

    /// <summary>
    /// Runs <paramref name="transforms"/> in order, each on the previous one's updates:
    /// <c>u = tₙ(…t₂(t₁(g)))</c>. The state of member <c>i</c> lives under the names prefixed <c>i/</c>.
    /// </summary>
    /// <remarks>The chain's <see cref="Transform{T}.LearningRate"/> is its one member's that has one.</remarks>
    public static Transform<T> Chain<T>(params Transform<T>[] transforms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var members = transforms.ToImmutableArray();
        var prefixes = Enumerable.Range(0, members.Length).Select(i => $"{i}/").ToImmutableArray();
        var rates = members.Select(t => t.LearningRate).OfType<Schedule>().ToArray();
        return new Transform<T>(
            p => new OptState<T>(0, Merge(prefixes, [.. members.Select(t => t.Init(p))])),
            (g, s, p) =>
            {
                var updates = g;
                var states = new OptState<T>[members.Length];
                for (var i = 0; i < members.Length; i++)
                    (updates, states[i]) = members[i].Update(updates, Member(s, prefixes[i]), p);
                return (updates, new OptState<T>(s.Step + 1, Merge(prefixes, states)));
            })
        { LearningRate = rates.Length == 1 ? rates[0] : null };
    }

    /// <summary>Stochastic gradient descent: <c>u = −lr(t)·g</c>.</summary>
    public static Transform<T> Sgd<T>(Schedule lr)
        where T : unmanaged, IFloatingPointIeee754<T> => ScaleByLearningRate<T>(lr);

    /// <summary>Stochastic gradient descent with a constant learning rate: <c>u = −lr·g</c>.</summary>
    public static Transform<T> Sgd<T>(double lr)
        where T : unmanaged, IFloatingPointIeee754<T> => Sgd<T>(ConstantRate(nameof(Sgd), lr));

    /// <summary>
    /// SGD with momentum, as PyTorch's <c>SGD(momentum = β, nesterov)</c>: <c>Chain(Trace(β, nesterov), ScaleByLearningRate(lr))</c>.
    /// </summary>
    public static Transform<T> Momentum<T>(Schedule lr, double beta = 0.9, bool nesterov = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Chain(Trace<T>(beta, nesterov), ScaleByLearningRate<T>(lr));

    /// <summary>SGD with momentum and a constant learning rate.</summary>
    public static Transform<T> Momentum<T>(double lr, double beta = 0.9, bool nesterov = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Momentum<T>(ConstantRate(nameof(Momentum), lr), beta, nesterov);

    /// <summary>Adam (Kingma and Ba, 2015): <c>Chain(ScaleByAdam(β₁, β₂, ε), ScaleByLearningRate(lr))</c>.</summary>
    public static Transform<T> Adam<T>(Schedule lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
        where T : unmanaged, IFloatingPointIeee754<T> => Chain(ScaleByAdam<T>(b1, b2, eps), ScaleByLearningRate<T>(lr));

    /// <summary>Adam with a constant learning rate.</summary>
    public static Transform<T> Adam<T>(double lr, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
        where T : unmanaged, IFloatingPointIeee754<T> => Adam<T>(ConstantRate(nameof(Adam), lr), b1, b2, eps);

    // A transformation with no trees: Init gives the empty state, Update only counts the step.
    private static Transform<T> Stateless<T>(Func<Params<T>, OptState<T>, Params<T>, Params<T>> update)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(_ => OptState<T>.Empty, (g, s, p) => (update(g, s, p), s with { Step = s.Step + 1 }));

    // A member's view of a chain's state: its own trees with its prefix ("i/") removed, and the chain's step. A
    // stateless member (no trees) shares the empty map.
    private static OptState<T> Member<T>(OptState<T> chain, string prefix)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var own = OptState<T>.Empty.Slots;
        foreach (var (name, tree) in chain.Slots)
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                own = own.Add(name[prefix.Length..], tree);
        return new OptState<T>(chain.Step, own);
    }

    // The chain's trees: member i's under "i/"; no map is built when every member is stateless.
    private static ImmutableSortedDictionary<string, Params<T>> Merge<T>(ImmutableArray<string> prefixes, OptState<T>[] members)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var slots = OptState<T>.Empty.Slots;
        for (var i = 0; i < members.Length; i++)
            foreach (var (name, tree) in members[i].Slots)
                slots = slots.Add(prefixes[i] + name, tree);
        return slots;
    }
}
