using SkiaSharp;

namespace FunctionalNets.Plots;

/// <summary>Thrown when no installed font can draw a figure's text; the message says what to install.</summary>
public sealed class PlotFontException(string message) : Exception(message);

/// <summary>The font figures are drawn in, checked to draw text at all.</summary>
/// <remarks>
/// Without a usable font, SkiaSharp (under ScottPlot) draws no text and reports nothing: a figure would come out
/// with blank titles, labels and ticks. So every figure first asks for <see cref="Family"/>, which fails loudly instead.
/// </remarks>
public static class PlotFonts
{
    /// <summary>Text every figure draws: digits, signs and Latin letters.</summary>
    public const string Sample = "0123456789.,-+eE abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>The families preferred, in order, when installed: clean sans-serif faces of wide coverage.</summary>
    public static IReadOnlyList<string> Preferred { get; } = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    private static readonly Lazy<string> Installed = new(() => Choose([.. SKFontManager.Default.FontFamilies]));

    /// <summary>The family figures use: the first of <see cref="Preferred"/> installed, else any installed family that draws <see cref="Sample"/>.</summary>
    /// <exception cref="PlotFontException">No installed family draws the sample text.</exception>
    public static string Family => Installed.Value;

    /// <summary>
    /// The family to draw in among <paramref name="installed"/> (the preferred ones first); a
    /// <see cref="PlotFontException"/> when none of them has glyphs for <see cref="Sample"/>.
    /// </summary>
    public static string Choose(IReadOnlyList<string> installed)
    {
        foreach (var family in Preferred.Where(installed.Contains).Concat(installed.Except(Preferred)))
        {
            using var typeface = SKTypeface.FromFamilyName(family);
            if (typeface is not null && string.Equals(typeface.FamilyName, family, StringComparison.Ordinal) && typeface.ContainsGlyphs(Sample))
                return family;
        }
        throw new PlotFontException(installed.Count == 0
            ? "no fonts are installed, and without one the figures would have no text; install one (Debian/Ubuntu: apt-get install fonts-dejavu-core)"
            : $"none of the installed fonts ({string.Join(", ", installed)}) draws Latin letters and digits; install one (Debian/Ubuntu: apt-get install fonts-dejavu-core)");
    }
}
