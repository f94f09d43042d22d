using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using FunctionalNets.Training;
using LanguageExt;

namespace FunctionalNets.IO;

/// <summary>A checkpoint file in a <see cref="CheckpointDirectory"/>: its step (from the name) and its path.</summary>
public readonly record struct CheckpointFile(long Step, string Path);

/// <summary>A checkpoint that was passed over because it did not read back valid, and why (one line, fit for a warning).</summary>
public sealed record SkippedCheckpoint(CheckpointFile File, string Reason);

/// <summary>The newest checkpoint that reads back valid, if any, and the newer ones skipped on the way to it.</summary>
/// <param name="Newest">The checkpoint with the highest step that reads back valid, with its file.</param>
/// <param name="Skipped">Newer files that failed to read, newest first.</param>
public sealed record CheckpointSearch<T>(Option<(CheckpointFile File, Checkpoint<T> Checkpoint)> Newest, ImmutableArray<SkippedCheckpoint> Skipped)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A run's checkpoint folder (<c>DIR/checkpoints</c>): files named <c>step-NNNNNNN.safetensors</c> (the step with at
/// least seven digits), listed by step, resumed from the newest that reads back valid, pruned to the newest few.
/// </summary>
/// <remarks>
/// Only canonical names count: the atomic writer's temporaries (<c>.step-….tmp-…</c>) and any other file are
/// ignored, so a crash mid-write never leaves something that is taken for a checkpoint.
/// </remarks>
/// <param name="Path">The folder that holds the checkpoint files.</param>
public sealed record CheckpointDirectory(string Path)
{
    private const string Prefix = "step-", Extension = ".safetensors";

    /// <summary>The checkpoint folder of the run directory <paramref name="runDirectory"/>: <c>runDirectory/checkpoints</c>.</summary>
    public static CheckpointDirectory OfRun(string runDirectory) => new(System.IO.Path.Combine(runDirectory, "checkpoints"));

    /// <summary>The file name of step <paramref name="step"/>: <c>step-{step:D7}.safetensors</c>.</summary>
    public static string FileName(long step) => step >= 0
        ? $"{Prefix}{step.ToString("D7", CultureInfo.InvariantCulture)}{Extension}"
        : throw new ArgumentOutOfRangeException(nameof(step), $"CheckpointDirectory: step {step} is negative");

    /// <summary>The step a checkpoint file name stands for, if <paramref name="fileName"/> is exactly <see cref="FileName"/> of some step.</summary>
    public static bool TryParseStep(string fileName, out long step)
    {
        step = 0;
        return fileName.StartsWith(Prefix, StringComparison.Ordinal) && fileName.EndsWith(Extension, StringComparison.Ordinal) &&
            long.TryParse(fileName.AsSpan(Prefix.Length, Math.Max(0, fileName.Length - Prefix.Length - Extension.Length)),
                NumberStyles.None, CultureInfo.InvariantCulture, out step) &&
            string.Equals(FileName(step), fileName, StringComparison.Ordinal);
    }

    /// <summary>The path of step <paramref name="step"/>'s checkpoint in this folder.</summary>
    public string PathOf(long step) => System.IO.Path.Combine(Path, FileName(step));

    /// <summary>The checkpoint files in this folder, by increasing step; none when the folder does not exist.</summary>
    public ImmutableArray<CheckpointFile> List() =>
        !Directory.Exists(Path) ? []
        : [.. Directory.EnumerateFiles(Path)
            .Select(f => TryParseStep(System.IO.Path.GetFileName(f), out var step) ? new CheckpointFile(step, f) : (CheckpointFile?)null)
            .OfType<CheckpointFile>()
            .OrderBy(f => f.Step)];

    /// <summary>
    /// Writes <paramref name="state"/> as <see cref="PathOf"/> its step (atomically, creating the folder), then deletes
    /// older checkpoints so that <paramref name="keep"/> remain, the new one included; returns the new file.
    /// </summary>
    /// <remarks>Pruning runs only after the write succeeded, and never deletes the file just written, even when
    /// files with higher steps exist (a run restarted from an earlier step).</remarks>
    public CheckpointFile Save<T>(TrainState<T> state, IReadOnlyDictionary<string, string>? extra = null, int keep = int.MaxValue)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), $"CheckpointDirectory.Save: keep must be at least 1, got {keep}");
        Directory.CreateDirectory(Path);
        var file = new CheckpointFile(state.Step, PathOf(state.Step));
        Checkpoint.Write(file.Path, state, extra);
        DeleteAllBut(keep - 1, [.. List().Where(f => f.Step != file.Step)]);
        return file;
    }

    /// <summary>Deletes all but the <paramref name="keep"/> checkpoints with the highest steps; returns the deleted files.</summary>
    public ImmutableArray<CheckpointFile> Prune(int keep)
    {
        if (keep < 0) throw new ArgumentOutOfRangeException(nameof(keep), $"CheckpointDirectory.Prune: keep must be non-negative, got {keep}");
        return DeleteAllBut(keep, List());
    }

    // Deletes all but the last keep of files (in step order) and returns them.
    private static ImmutableArray<CheckpointFile> DeleteAllBut(int keep, ImmutableArray<CheckpointFile> files)
    {
        var deleted = files[..Math.Max(0, files.Length - keep)];
        foreach (var f in deleted) File.Delete(f.Path);
        return deleted;
    }

    /// <summary>
    /// The checkpoint with the highest step that reads back valid (checked against <paramref name="template"/> when
    /// given, and holding the step its name says), with every newer file that failed and why.
    /// </summary>
    public CheckpointSearch<T> Newest<T>(TrainState<T>? template = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var skipped = ImmutableArray.CreateBuilder<SkippedCheckpoint>();
        foreach (var file in List().Reverse())
        {
            try
            {
                var checkpoint = Checkpoint.Read(file.Path, template);
                if (checkpoint.State.Step == file.Step)
                    return new(Prelude.Some((file, checkpoint)), skipped.ToImmutable());
                skipped.Add(new(file, $"{file.Path}: holds step {checkpoint.State.Step}, but its name says step {file.Step}"));
            }
            catch (CheckpointException ex)
            {
                skipped.Add(new(file, ex.Message));
            }
        }
        return new(Prelude.None, skipped.ToImmutable());
    }
}
