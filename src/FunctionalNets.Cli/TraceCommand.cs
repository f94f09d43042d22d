using System.CommandLine;
using FunctionalNets.Autodiff;
using FunctionalNets.Runs;

namespace FunctionalNets.Cli;

/// <summary><c>fnets trace DIR --step S --out FILE</c>: every op of one training step, forward then backward, with its result.</summary>
public static class TraceCommand
{
    private static readonly Argument<string> Dir = new("dir") { Description = "The run directory" };
    private static readonly Option<long> Step = new("--step") { Description = "The step to trace, numbered as in the run log (from 1)", Required = true };
    private static readonly Option<string> Out = new("--out") { Description = "The trace file to write (safetensors: every result, and the table as metadata)", Required = true };

    /// <summary>The <c>trace</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("trace", "Re-execute one step from the nearest checkpoint and record every op's result (name, layer path, shape, digest, statistics)")
        {
            Dir, Step, Out, Running.Threads,
        };
        command.SetAction(parse => Trace(io, parse));
        return command;
    }

    private static int Trace(Io io, ParseResult parse)
    {
        var step = parse.GetValue(Step);
        if (step < 1) throw new UsageException($"--step: steps are numbered from 1, got {step}");
        var path = parse.GetValue(Out)!;
        using var threads = Running.ThreadScope(parse);
        var trace = OpTrace.Record(parse.GetValue(Dir)!, step);
        trace.Write(path);
        io.Out.Write(trace.Table());
        var forward = trace.Ops.Count(o => o.Pass == OpPass.Forward);
        io.Out.WriteLine($"wrote {trace.Ops.Length} results of step {step} ({forward} forward, {trace.Ops.Length - forward} backward) to {path}");
        return 0;
    }
}
