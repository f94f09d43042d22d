using System.CommandLine;
using FunctionalNets.Runs;

namespace FunctionalNets.Cli;

/// <summary><c>fnets diff A B</c>: two run directories, two checkpoints or two op traces; exit 0 when they agree, 1 when they differ.</summary>
public static class DiffCommand
{
    private static readonly Argument<string> A = new("a") { Description = "A run directory, a checkpoint or an op trace" };
    private static readonly Argument<string> B = new("b") { Description = "The same kind of thing to compare it with" };
    private static readonly Option<bool> Params = new("--params") { Description = "Runs: re-execute both to the first step that differs and list the parameters that differ there" };

    /// <summary>The <c>diff</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("diff", "Where two runs (config fields, first step whose digests differ), checkpoints (parameters) or op traces (first op) part")
        {
            A, B, Params, Running.Threads,
        };
        command.SetAction(parse => Compare(io, parse));
        return command;
    }

    private static int Compare(Io io, ParseResult parse)
    {
        var (a, b) = (parse.GetValue(A)!, parse.GetValue(B)!);
        var (dirA, dirB) = (Directory.Exists(a), Directory.Exists(b));
        if (dirA != dirB) throw new UsageException($"compare like with like: {(dirA ? a : b)} is a directory, {(dirA ? b : a)} is not");
        if (parse.GetValue(Params) && !dirA) throw new UsageException("--params compares two run directories");
        if (dirA) return CompareRuns(io, parse, a, b);
        var (text, same) = IsTrace(a) ? Show(Diff.Traces(OpTrace.Read(a), OpTrace.Read(b)), t => t.Same) : Show(Diff.Checkpoints(a, b), c => c.Same);
        io.Out.WriteLine(text);
        return same ? 0 : Cli.Failure;
    }

    private static int CompareRuns(Io io, ParseResult parse, string a, string b)
    {
        var runs = Diff.Runs(a, b);
        io.Out.WriteLine(runs);
        if (parse.GetValue(Params) && runs.FirstDifferentStep is { } step)
        {
            using var threads = Running.ThreadScope(parse);
            var differences = Diff.RunParameters(a, b, step);
            io.Out.WriteLine($"parameters after step {step}: {differences.Length} differ");
            foreach (var d in differences) io.Out.WriteLine($"  {d}");
        }
        return runs.Same ? 0 : Cli.Failure;
    }

    private static (string, bool) Show<T>(T comparison, Func<T, bool> same)
        where T : notnull => (comparison.ToString()!, same(comparison));

    private static bool IsTrace(string path) => IO.Safetensors.Read(path).Metadata.ContainsKey(OpTrace.MetadataKey);
}
