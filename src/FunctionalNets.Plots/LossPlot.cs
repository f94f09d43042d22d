using FunctionalNets.Runs;
using ScottPlot;

namespace FunctionalNets.Plots;

/// <summary>
/// A run's loss curves against the step: the training loss raw (faint) and smoothed, the validation loss at each
/// evaluation, and the learning rate on a second axis at the right.
/// </summary>
public static class LossPlot
{
    /// <summary>The figure's width in pixels.</summary>
    public const int Width = 1000;

    /// <summary>The figure's height in pixels.</summary>
    public const int Height = 600;

    /// <summary>The file names written into a run directory.</summary>
    public const string PngName = "loss.png", SvgName = "loss.svg";

    /// <summary>The figure of <paramref name="history"/>, titled <paramref name="title"/>.</summary>
    public static Plot Of(RunHistory history, string title)
    {
        var plot = Figure.New();
        double[] steps = [.. history.Steps.Select(s => (double)s)];
        var raw = plot.Add.ScatterLine(steps, history.Loss.ToArray());
        (raw.Color, raw.LineWidth, raw.LegendText) = (Colors.SteelBlue.WithAlpha(0.3), 1, "training loss");
        var smooth = plot.Add.ScatterLine(steps, [.. Smooth(history.Loss)]);
        (smooth.Color, smooth.LineWidth, smooth.LegendText) = (Colors.SteelBlue, 2, "training loss, smoothed");
        if (!history.EvalSteps.IsEmpty)
        {
            var val = plot.Add.Scatter([.. history.EvalSteps.Select(s => (double)s)], history.ValidationLoss.ToArray());
            (val.Color, val.LineWidth, val.MarkerSize, val.LegendText) = (Colors.OrangeRed, 2, 7, "validation loss");
        }
        var lr = plot.Add.ScatterLine(steps, history.LearningRate.ToArray());
        (lr.Color, lr.LineWidth, lr.LinePattern, lr.LegendText) = (Colors.Gray, 1.5f, LinePattern.Dashed, "learning rate");
        lr.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "learning rate";
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>
    /// Writes <c>loss.png</c> and <c>loss.svg</c> (<see cref="Width"/> × <see cref="Height"/>) of the run log in
    /// <paramref name="directory"/> into that directory; returns their paths.
    /// </summary>
    public static (string Png, string Svg) Write(string directory)
    {
        var plot = Of(RunHistory.Read(directory), Path.GetFileName(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar)));
        var (png, svg) = (Path.Combine(directory, PngName), Path.Combine(directory, SvgName));
        Figure.Write(png, plot.GetImageBytes(Width, Height, ImageFormat.Png));
        Figure.Write(svg, Figure.Svg(plot, Width, Height));
        return (png, svg);
    }

    /// <summary>
    /// An exponential moving average with bias correction: <c>m_t = β·m_{t−1} + (1 − β)·x_t</c>, reported as
    /// <c>m_t / (1 − β^k)</c> after k finite values; a non-finite value is skipped (its point repeats the average so far).
    /// </summary>
    /// <remarks>
    /// β = 1 − 2/(w + 1) for a window w of a twentieth of the points (at least 1), so the curve smooths alike whatever
    /// the run's length; the correction keeps the start from being pulled toward 0.
    /// </remarks>
    public static IReadOnlyList<double> Smooth(IReadOnlyList<double> xs)
    {
        var window = Math.Max(1, xs.Count / 20);
        var beta = 1 - 2.0 / (window + 1);
        var (average, weight, smoothed) = (0.0, 0.0, new double[xs.Count]);
        for (var t = 0; t < xs.Count; t++)
        {
            if (double.IsFinite(xs[t])) (average, weight) = (beta * average + (1 - beta) * xs[t], beta * weight + (1 - beta));
            smoothed[t] = weight > 0 ? average / weight : double.NaN;
        }
        return smoothed;
    }
}
