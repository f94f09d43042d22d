using System.Collections.Immutable;
using System.Numerics;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;

namespace FunctionalNets.Autodiff;

/// <summary>
/// What a <see cref="Net{T,A}"/> threads from step to step: parameters (read, or created in init mode), the tape
/// of pullbacks, the current path scope, the keys for randomness, and the values whose cotangents a pullback
/// reports besides the parameters' (<see cref="Net.Variable{T}"/> inputs and <see cref="Net.Tap{T}"/> points).
/// </summary>
/// <remarks>
/// Outside init mode the parameter at position <c>i</c> (in path order) of <see cref="Params"/> owns slot <c>i</c>,
/// so every read of a parameter shares its cotangent and the first free slot is the number of parameters. In init
/// mode the tree grows as parameters are created, so each read takes a fresh slot; init mode records nothing.
/// A state is made only by <see cref="Start"/> and changed only with <c>with</c>, so slots are never forged.
/// </remarks>
public sealed record NetState<T>
    where T : unmanaged, INumber<T>
{
    private NetState() { }

    /// <summary>The parameters read by path; in init mode missing ones are created and added here.</summary>
    public Params<T> Params { get; init; } = Params<T>.Empty;

    /// <summary>The recorded pullbacks (newest first), or null when nothing has been recorded yet.</summary>
    public Tape<T>? Tape { get; init; }

    // What stays the same through a run, in one object: every op copies the state, and a smaller state copies faster.
    private sealed record Settings(bool Recording, Key? InitKey, Key? Rng, bool Training, IOpObserver<T>? Observer);

    private static readonly Settings None = new(false, null, null, false, null);

    private Settings settings = None;

    /// <summary>Whether ops record pullbacks (off for inference and initialisation).</summary>
    public bool Recording { get => settings.Recording; init => settings = settings with { Recording = value }; }

    /// <summary>The next free slot.</summary>
    public int NextSlot { get; init; }

    /// <summary>The path prefix of the current layer, e.g. <c>blocks/2/</c>.</summary>
    public string Scope { get; init; } = "";

    /// <summary>The root key in init mode; null when applying existing parameters.</summary>
    public Key? InitKey { get => settings.InitKey; init => settings = settings with { InitKey = value }; }

    /// <summary>The key for stochastic layers (dropout) in this run, or null when none was given.</summary>
    public Key? Rng { get => settings.Rng; init => settings = settings with { Rng = value }; }

    /// <summary>How many keys stochastic layers have drawn so far in this run.</summary>
    public int Draws { get; init; }

    /// <summary>Whether stochastic layers are active.</summary>
    public bool Training { get => settings.Training; init => settings = settings with { Training = value }; }

    /// <summary>Watches every op's result (traces, the non-finite finder), or null: the ops then pay one null check.</summary>
    public IOpObserver<T>? Observer { get => settings.Observer; init => settings = settings with { Observer = value }; }

    /// <summary>The inputs brought in with <see cref="Net.Variable{T}"/>, in creation order; their cotangents come back in that order.</summary>
    public ImmutableList<Var<T>> Variables { get; init; } = [];

    /// <summary>The tapped values by full path (<see cref="Net.Tap{T}"/>), while recording; their cotangents come back by path.</summary>
    public ImmutableSortedDictionary<string, Var<T>> Taps { get; init; } = NoTaps;

    private static readonly ImmutableSortedDictionary<string, Var<T>> NoTaps = ImmutableSortedDictionary.Create<string, Var<T>>(StringComparer.Ordinal);

    /// <summary>
    /// A fresh state over <paramref name="parameters"/>; outside init mode their slots come first. Init mode
    /// (<paramref name="initKey"/> given) cannot record. <paramref name="observer"/>, when given, sees every op's result.
    /// </summary>
    public static NetState<T> Start(Params<T> parameters, bool recording, Key? initKey = null, Key? rng = null, bool training = false,
        IOpObserver<T>? observer = null) =>
        recording && initKey is not null
            ? throw new ArgumentException("NetState.Start: init mode records no pullbacks; initialise with Net.Init, then take gradients")
            : new()
            {
                Params = parameters,
                NextSlot = initKey is null ? parameters.PathCount : 0,
                settings = new Settings(recording, initKey, rng, training, observer),
            };
}
