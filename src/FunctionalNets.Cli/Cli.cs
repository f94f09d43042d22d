using System.CommandLine;

namespace FunctionalNets.Cli;

/// <summary>
/// <c>fnets</c>: one verb per file. Exit codes: 0 done, 1 a runtime failure (one line; the stack trace with
/// <c>--verbose</c>), 2 bad arguments (one line naming the argument), 130 stopped by Ctrl-C after a checkpoint.
/// </summary>
public static class Cli
{
    /// <summary>Bad arguments.</summary>
    public const int Usage = 2;

    /// <summary>A failure while running.</summary>
    public const int Failure = 1;

    /// <summary>Stopped by Ctrl-C, with a checkpoint written.</summary>
    public const int Interrupted = 130;

    /// <summary>Prints the stack trace of a failure as well as its message.</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "On failure, print the stack trace too", Recursive = true };

    /// <summary>Runs <c>fnets</c> with <paramref name="args"/>, writing to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, CancellationToken.None);

    /// <summary>As <see cref="Run(string[], TextWriter, TextWriter)"/>; a cancelled <paramref name="stop"/> acts as Ctrl-C.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stop)
    {
        var io = new Io(stdout, stderr, stop);
        var root = new RootCommand("fnets: train, resume, sample from and inspect small language models; the book's worked examples")
        {
            Verbose,
            TrainCommand.Create(io),
            ResumeCommand.Create(io),
            GenerateCommand.Create(io),
            EvalCommand.Create(io),
            InspectCommand.Create(io),
            ExampleCommand.Create(io),
            ReplayCommand.Create(io),
            DiffCommand.Create(io),
            TraceCommand.Create(io),
            PlotCommand.Create(io),
            AttentionCommand.Create(io),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"fnets: {parse.Errors[0].Message} (see fnets --help)");
            return Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"fnets: {e.Message}");
            return Usage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"fnets: {OneLine(e.Message)}");
            if (parse.GetValue(Verbose)) stderr.WriteLine(e);
            return Failure;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}

/// <summary>Where a command writes, and the token that asks it to stop.</summary>
public sealed record Io(TextWriter Out, TextWriter Error, CancellationToken Stop);

/// <summary>An argument that is wrong in itself (exit 2), found after parsing.</summary>
public sealed class UsageException(string message) : Exception(message);
