using System.Collections.Immutable;
using System.Numerics;
using System.Reflection;
using FunctionalNets.Training;
using LanguageExt;

namespace FunctionalNets.IO;

/// <summary>A checkpoint read back: the training state and every metadata entry of the file.</summary>
/// <param name="State">Step, parameters, optimizer state, key and cursor, bit for bit as written.</param>
/// <param name="Metadata">All <c>__metadata__</c> entries, FunctionalNets' own (<see cref="CheckpointKeys"/>) and the caller's.</param>
public sealed record Checkpoint<T>(TrainState<T> State, ImmutableSortedDictionary<string, string> Metadata)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The caller's metadata entries: those outside the reserved <c>fnets.</c> prefix.</summary>
    public ImmutableSortedDictionary<string, string> Extra =>
        Metadata.RemoveRange(Metadata.Keys.Where(k => k.StartsWith(CheckpointKeys.Prefix, StringComparison.Ordinal)));
}

/// <summary>
/// Training checkpoints in the safetensors layout: every parameter under its path, the optimizer's trees under
/// <c>opt/&lt;slot&gt;/&lt;path&gt;</c>, and step, key, cursor, digests and versions in the metadata
/// (<see cref="CheckpointKeys"/>). Reading gives back the same <see cref="TrainState{T}"/> bit for bit, so training
/// resumed from a checkpoint continues exactly as if it had never stopped.
/// </summary>
/// <remarks>
/// Parameters keep their plain paths so other tools (Python's <c>safetensors</c>) load the weights by name.
/// The recorded digests cover every data byte, so a flipped bit that leaves the layout valid still fails the read.
/// See docs/checkpoint-format.md.
/// </remarks>
public static class Checkpoint
{
    /// <summary>The layout version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The informational version of this library, recorded under <see cref="CheckpointKeys.Library"/>.</summary>
    public static string LibraryVersion { get; } =
        typeof(Checkpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Writes <paramref name="state"/> and the caller's <paramref name="extra"/> metadata to <paramref name="path"/> atomically.</summary>
    public static void Write<T>(string path, TrainState<T> state, IReadOnlyDictionary<string, string>? extra = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Safetensors.Write(path, Encode(state, extra));

    /// <summary>
    /// The checkpoint at <paramref name="path"/>; with a <paramref name="template"/>, the file must hold exactly its
    /// parameter and optimizer tensors, with their shapes. Any failure is a <see cref="CheckpointException"/>.
    /// </summary>
    public static Checkpoint<T> Read<T>(string path, TrainState<T>? template = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Decode(Safetensors.Read(path), path, template);

    /// <summary>The result of <see cref="Read{T}"/> as a value: the checkpoint, or the error.</summary>
    public static Fin<Checkpoint<T>> TryRead<T>(string path, TrainState<T>? template = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Safetensors.Catch(() => Read(path, template));

    /// <summary>
    /// The file contents of <paramref name="state"/>: its tensors and metadata, with <paramref name="extra"/> added.
    /// Extra keys may not use the <c>fnets.</c> prefix, parameter paths may not start with <c>opt/</c>, and no
    /// optimizer slot name may extend another (<c>1</c> and <c>1/mu</c>): each would make the names ambiguous.
    /// </summary>
    public static SafetensorsFile Encode<T>(TrainState<T> state, IReadOnlyDictionary<string, string>? extra = null)
        where T : unmanaged, IFloatingPointIeee754<T> => CheckpointLayout.Encode(state, extra);

    /// <summary>
    /// The training state in <paramref name="file"/>, checked against the metadata's digests and versions and, when
    /// given, against <paramref name="template"/>'s tensors and shapes; errors name the file as <paramref name="name"/>.
    /// </summary>
    public static Checkpoint<T> Decode<T>(SafetensorsFile file, string name, TrainState<T>? template = null)
        where T : unmanaged, IFloatingPointIeee754<T> => CheckpointLayout.Decode(file, name, template);
}
