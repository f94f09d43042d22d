using System.CommandLine;
using FunctionalNets.Plots;

namespace FunctionalNets.Cli;

/// <summary><c>fnets plot DIR</c>: the run's loss curves as DIR/loss.png and DIR/loss.svg.</summary>
public static class PlotCommand
{
    private static readonly Argument<string> Dir = new("dir") { Description = "The run directory" };

    /// <summary>The <c>plot</c> verb.</summary>
    public static Command Create(Io io)
    {
        var command = new Command("plot", "Draw the training loss (raw and smoothed), the validation loss and the learning rate against the step") { Dir };
        command.SetAction(parse =>
        {
            var (png, svg) = LossPlot.Write(parse.GetValue(Dir)!);
            io.Out.WriteLine($"wrote {png} and {svg} ({LossPlot.Width} × {LossPlot.Height})");
            return 0;
        });
        return command;
    }
}
