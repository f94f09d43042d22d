using System.CommandLine;

namespace FunctionalNets.Cli;

/// <summary><c>fnets replay DIR</c>: re-execute a run and check every parameter digest against its log.</summary>
public static class ReplayCommand
{
    private static readonly Argument<string> Dir = new("dir") { Description = "The run directory" };
    private static readonly Option<long> From = new("--from") { Description = "Start from the newest checkpoint at or before this step (default 0: the start)", DefaultValueFactory = _ => 0 };
    private static readonly Option<long?> To = new("--to") { Description = "Replay up to this step (default: the log's last)" };

    /// <summary>The <c>replay</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("replay", "Check a run's log chain, re-execute its steps and compare every digest; exit 1 names the first step that differs")
        {
            Dir, From, To, Running.Threads,
        };
        command.SetAction(parse => Replay(io, parse));
        return command;
    }

    private static int Replay(Io io, ParseResult parse)
    {
        var (from, to) = (parse.GetValue(From), parse.GetValue(To));
        if (from < 0 || to < from)
            throw new UsageException($"--from must be ≥ 0 and --to at least --from, got --from {from}{(to is { } t ? $" --to {t}" : "")}");
        using var threads = Running.ThreadScope(parse);
        var result = Runs.Replay.Verify(parse.GetValue(Dir)!, from, to);
        foreach (var skipped in result.Skipped)
            io.Error.WriteLine($"fnets: warning: skipping a damaged checkpoint: {skipped}");
        io.Out.WriteLine(result);
        return result.Verified ? 0 : Cli.Failure;
    }
}
