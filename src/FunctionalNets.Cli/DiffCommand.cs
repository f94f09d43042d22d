using System.CommandLine;
using FunctionalNets.Runs;

namespace FunctionalNets.Cli;

/// <summary><c>fnets diff A B</c>: two run directories, two checkpoints or two op traces; exit 0 when they agree, 1 when they differ.</summary>
public static class DiffCommand
{
    private static readonly Argument<string> A = new("a") { Description = "A run directory, a checkpoint or an op trace" };
    private static readonly Argument<string> B = new("b") { Description = "The same kind of thing to compare it with" };

    /// <summary>The <c>diff</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("diff", "Where two runs (config fields, first step whose digests differ), checkpoints (parameters) or op traces (first op) part")
        {
            A, B,
        };
        command.SetAction(parse => Compare(io, parse.GetValue(A)!, parse.GetValue(B)!));
        return command;
    }

    private static int Compare(Io io, string a, string b)
    {
        var (dirA, dirB) = (Directory.Exists(a), Directory.Exists(b));
        if (dirA != dirB) throw new UsageException($"compare like with like: {(dirA ? a : b)} is a directory, {(dirA ? b : a)} is not");
        var (text, same) = dirA ? Show(Diff.Runs(a, b), r => r.Same)
            : IsTrace(a) ? Show(Diff.Traces(OpTrace.Read(a), OpTrace.Read(b)), t => t.Same)
            : Show(Diff.Checkpoints(a, b), c => c.Same);
        io.Out.WriteLine(text);
        return same ? 0 : Cli.Failure;
    }

    private static (string, bool) Show<T>(T comparison, Func<T, bool> same)
        where T : notnull => (comparison.ToString()!, same(comparison));

    private static bool IsTrace(string path) => IO.Safetensors.Read(path).Metadata.ContainsKey(OpTrace.MetadataKey);
}
