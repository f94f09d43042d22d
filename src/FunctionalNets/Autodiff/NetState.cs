using System.Numerics;
using FunctionalNets.Params;
using FunctionalNets.Random;

namespace FunctionalNets.Autodiff;

/// <summary>
/// What a <see cref="Net{T,A}"/> threads from step to step: parameters (read, or created in init mode), the tape
/// of pullbacks, the current path scope and the keys for randomness.
/// </summary>
/// <remarks>
/// Outside init mode the parameter at position <c>i</c> (in path order) of <see cref="Params"/> owns slot <c>i</c>,
/// so every read of a parameter shares its cotangent and the first free slot is the number of parameters. In init
/// mode the tree grows as parameters are created, so each read takes a fresh slot; init mode records nothing.
/// </remarks>
/// <param name="Params">The parameters read by path; in init mode missing ones are created and added here.</param>
/// <param name="Tape">The recorded pullbacks (newest first), or null when nothing has been recorded yet.</param>
/// <param name="Recording">Whether ops record pullbacks (off for inference and initialisation).</param>
/// <param name="NextSlot">The next free slot.</param>
/// <param name="Scope">The path prefix of the current layer, e.g. <c>blocks/2/</c>.</param>
/// <param name="InitKey">The root key in init mode; null when applying existing parameters.</param>
/// <param name="Rng">The key for stochastic layers (dropout) in this run, or null when none was given.</param>
/// <param name="Draws">How many keys stochastic layers have drawn so far in this run.</param>
/// <param name="Training">Whether stochastic layers are active.</param>
/// <param name="Observer">Watches every op's result (traces, the non-finite finder), or null: the ops then pay one null check.</param>
public sealed record NetState<T>(
    Params<T> Params,
    Tape<T>? Tape,
    bool Recording,
    int NextSlot,
    string Scope,
    Key? InitKey,
    Key? Rng,
    int Draws,
    bool Training,
    IOpObserver<T>? Observer = null)
    where T : unmanaged, INumber<T>
{
    /// <summary>
    /// A fresh state over <paramref name="parameters"/>; outside init mode their slots come first. Init mode
    /// (<paramref name="initKey"/> given) cannot record. <paramref name="observer"/>, when given, sees every op's result.
    /// </summary>
    public static NetState<T> Start(Params<T> parameters, bool recording, Key? initKey = null, Key? rng = null, bool training = false,
        IOpObserver<T>? observer = null) =>
        recording && initKey is not null
            ? throw new ArgumentException("NetState.Start: init mode records no pullbacks; initialise with Net.Init, then take gradients")
            : new(parameters, null, recording, initKey is null ? parameters.PathCount : 0, "", initKey, rng, 0, training, observer);
}
