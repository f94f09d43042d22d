using System.Collections.Immutable;
using FunctionalNets.Tensors;
using ScottPlot;

namespace FunctionalNets.Plots;

/// <summary>
/// Attention maps: a grid of heatmaps, one row per block and one column per head, each showing how every query
/// position (rows, labelled with its token) spreads its attention over the key positions (columns), on one 0–1 scale.
/// </summary>
public static class AttentionPlot
{
    /// <summary>Each heatmap's width and height in pixels; the figure is heads × <see cref="Panel"/> wide, blocks × <see cref="Panel"/> high.</summary>
    public const int Panel = 360;

    /// <summary>
    /// The PNG of <paramref name="weights"/> (per block, P [H, n, n] as <see cref="Models.KvCache.AttentionWeights"/>
    /// returns them) with <paramref name="tokens"/> (n labels) on both axes.
    /// </summary>
    public static byte[] Png(ImmutableArray<Tensor<float>> weights, IReadOnlyList<string> tokens)
    {
        if (weights.IsEmpty) throw new ArgumentException("AttentionPlot: no blocks to draw");
        var (heads, n) = (weights[0].Dim(0), tokens.Count);
        foreach (var w in weights)
            if (w.Shape != Shape.Of(heads, n, n))
                throw new ArgumentException($"AttentionPlot: expected weights [{heads}, {n}, {n}] for {n} tokens, got {w.Shape}");
        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        string[] labels = [.. tokens.Select(Visible)];
        var panels = new List<Plot>();
        for (var l = 0; l < weights.Length; l++)
            for (var h = 0; h < heads; h++)
            {
                var plot = Figure.New();
                panels.Add(plot);
                var cells = new double[n, n];
                for (var t = 0; t < n; t++)
                    for (var s = 0; s < n; s++)
                        cells[t, s] = weights[l][h, t, s];
                var map = plot.Add.Heatmap(cells);
                map.ManualRange = new ScottPlot.Range(0, 1);
                // The heatmap draws row 0 at the top, where the y axis ends: query t sits at y = n − 1 − t.
                plot.Axes.Bottom.SetTicks(positions, labels);
                plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], labels);
                plot.Axes.Bottom.Label.Text = "key";
                plot.Axes.Left.Label.Text = "query";
                plot.Title($"block {l}, head {h}");
            }
        var grid = new Multiplot();
        grid.Reset(panels[0]); // a new multiplot starts with a blank plot of its own
        foreach (var panel in panels.Skip(1)) grid.AddPlot(panel);
        grid.Layout = new ScottPlot.MultiplotLayouts.Grid(weights.Length, heads);
        return grid.Render(heads * Panel, weights.Length * Panel).GetImageBytes(ImageFormat.Png);
    }

    /// <summary>Writes <see cref="Png"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ImmutableArray<Tensor<float>> weights, IReadOnlyList<string> tokens) =>
        Figure.Write(path, Png(weights, tokens));

    // A token as a tick label: spaces and line ends made visible.
    private static string Visible(string token) => token.Replace(" ", "␣").Replace("\n", "⏎").Replace("\t", "⇥");
}
