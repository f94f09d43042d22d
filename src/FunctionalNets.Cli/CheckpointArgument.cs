using FunctionalNets.IO;
using FunctionalNets.Runs;

namespace FunctionalNets.Cli;

/// <summary>A checkpoint named on the command line: a file, or a run directory (its newest valid checkpoint).</summary>
internal sealed record LoadedCheckpoint(string Path, RunSpec Spec, Checkpoint<float> Checkpoint)
{
    public static LoadedCheckpoint Load(string pathOrDir, Io io)
    {
        var path = Directory.Exists(pathOrDir) ? Newest(pathOrDir, io) : pathOrDir;
        var untyped = IO.Checkpoint.Read<float>(path);
        var spec = RunSpec.FromJson(System.Text.Json.Nodes.JsonNode.Parse(untyped.Metadata.TryGetValue("run", out var run) ? run
            : throw new CheckpointException(path, null, "no 'run' metadata: not written by fnets train"))!.AsObject(), path);
        return new LoadedCheckpoint(path, spec, IO.Checkpoint.Read(path, LanguageModelRun.Initial(spec)));
    }

    // A run directory's checkpoints folder, or a folder of checkpoints itself.
    private static string Newest(string dir, Io io)
    {
        var folder = Directory.Exists(CheckpointDirectory.OfRun(dir).Path) ? CheckpointDirectory.OfRun(dir) : new CheckpointDirectory(dir);
        var search = folder.Newest<float>();
        foreach (var skipped in search.Skipped)
            io.Error.WriteLine($"fnets: warning: skipping a damaged checkpoint: {skipped.Reason}");
        return search.Newest.Match(found => found.File.Path, () => throw new IOException($"{folder.Path}: no valid checkpoint"));
    }
}
