using System.Text;
using System.Text.RegularExpressions;
using FunctionalNets.IO;
using ScottPlot;

namespace FunctionalNets.Plots;

/// <summary>Renders figures to bytes that depend only on what is drawn, and writes them atomically.</summary>
internal static partial class Figure
{
    /// <summary>A new plot drawn in <see cref="PlotFonts.Family"/> (which fails when no font can draw text).</summary>
    public static Plot New()
    {
        var plot = new Plot();
        plot.Font.Set(PlotFonts.Family);
        return plot;
    }

    /// <summary>The SVG of <paramref name="plot"/>, its clip-path ids renumbered in order of appearance.</summary>
    /// <remarks>Skia numbers clip paths with a counter that lives as long as the process, so the same figure would get other ids on a second render.</remarks>
    public static string Svg(Plot plot, int width, int height)
    {
        var ids = new Dictionary<string, string>();
        return ClipId().Replace(plot.GetSvgXml(width, height), m =>
        {
            if (!ids.TryGetValue(m.Value, out var renumbered)) ids[m.Value] = renumbered = $"cl_{ids.Count}";
            return renumbered;
        });
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically (temp file, fsync, rename).</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        AtomicFile.Write(path, stream => stream.Write(copy));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));

    [GeneratedRegex("cl_[0-9a-f]+")]
    private static partial Regex ClipId();
}
