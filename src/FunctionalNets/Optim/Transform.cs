using System.Collections.Immutable;
using System.Numerics;
using FunctionalNets.Parameters;

namespace FunctionalNets.Optim;

/// <summary>
/// A gradient transformation in the Optax style: a pair of pure functions, <c>Init(params) → state</c> and
/// <c>Update(grads, state, params) → (updates, state)</c>. Updates are added to the parameters by
/// <see cref="Optimizer.ApplyUpdates{T}"/>; transformations compose with <see cref="Optimizer.Chain{T}"/>.
/// </summary>
/// <param name="Init">The state before the first update, from the parameters' paths and shapes.</param>
/// <param name="Update">Maps (incoming updates or gradients, state, current parameters) to (outgoing updates, next state); never mutates its inputs.</param>
public sealed record Transform<T>(
    Func<Params<T>, OptState<T>> Init,
    Func<Params<T>, OptState<T>, Params<T>, (Params<T> Updates, OptState<T> State)> Update)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The learning-rate schedule this transformation applies, read at the state's step before each update; null when
    /// it applies none (or, for a chain, when more than one member does).
    /// </summary>
    /// <remarks>
    /// Set by <see cref="Optimizer.ScaleByLearningRate{T}(Schedule)"/> and kept by the chains and optimizers built on
    /// it, so a trainer reports the rate the optimizer used rather than a second schedule of its own.
    /// </remarks>
    public Schedule? LearningRate { get; init; }
}

/// <summary>
/// The immutable state of a <see cref="Transform{T}"/>: the number of updates applied so far and named parameter
/// trees (moments) such as <c>mu</c> and <c>nu</c> for Adam or <c>trace</c> for momentum.
/// </summary>
/// <remarks>
/// One flat, sorted map for any optimizer, so states compare, digest and checkpoint like parameters:
/// <see cref="Optimizer.Chain{T}"/> prefixes the names of its <c>i</c>-th member with <c>i/</c> (Adam inside a chain
/// of clip → Adam → learning rate stores <c>1/mu</c> and <c>1/nu</c>). Every transformation, stateless or not,
/// returns <c>Step + 1</c>; schedules and bias corrections read <see cref="Step"/> before the increment.
/// </remarks>
/// <param name="Step">How many updates have been applied; 0 after <c>Init</c>.</param>
/// <param name="Slots">The named trees, in ordinal order of their names.</param>
public sealed record OptState<T>(long Step, ImmutableSortedDictionary<string, Params<T>> Slots)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Step 0 and no trees: the state of a stateless transformation.</summary>
    public static OptState<T> Empty { get; } = new(0, ImmutableSortedDictionary.Create<string, Params<T>>(StringComparer.Ordinal));

    /// <summary>The tree named <paramref name="name"/>; the error lists the names that exist.</summary>
    public Params<T> this[string name] => Slots.TryGetValue(name, out var tree)
        ? tree
        : throw new KeyNotFoundException($"OptState: no tree named '{name}' (have: {string.Join(", ", Slots.Keys)})");

    /// <summary>This state with the tree <paramref name="name"/> added or replaced.</summary>
    public OptState<T> With(string name, Params<T> tree) => this with { Slots = Slots.SetItem(name, tree) };

    /// <summary>Equal when the steps match and both hold the same names with equal trees.</summary>
    public bool Equals(OptState<T>? other) =>
        other is not null && Step == other.Step && Slots.Count == other.Slots.Count &&
        Slots.All(kv => other.Slots.TryGetValue(kv.Key, out var tree) && tree.Equals(kv.Value));

    /// <inheritdoc/>
    public override int GetHashCode() => Slots.Aggregate(Step.GetHashCode(), (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));
}
