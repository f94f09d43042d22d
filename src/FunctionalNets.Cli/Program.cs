using FunctionalNets.Cli;

// Ctrl-C asks the running command to stop at a safe point (training: after the step, with a checkpoint);
// a second Ctrl-C ends the process at once.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
};
return Cli.Run(args, Console.Out, Console.Error, stop.Token);
