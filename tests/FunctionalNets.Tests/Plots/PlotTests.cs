using System.Buffers.Binary;
using System.Text.RegularExpressions;
using FunctionalNets.Models;
using FunctionalNets.Plots;
using FunctionalNets.Tests.Cli;
using FunctionalNets.Tests.Models;
using FunctionalNets.Tests.Runs;

namespace FunctionalNets.Tests.Plots;

public sealed class PlotTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("fnets-plots-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    // A PNG's size from its IHDR chunk: the 8-byte signature, the chunk's length and type, then width and height (big-endian).
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Fact]
    public void The_loss_plot_is_a_1000_by_600_png_and_svg_and_a_rerun_gives_the_same_bytes()
    {
        var dir = TinyRun.Train(Path.Combine(root, "run"), TinyRun.Spec(8, 4));
        var (png, svg) = LossPlot.Write(dir);
        Assert.Equal((Path.Combine(dir, "loss.png"), Path.Combine(dir, "loss.svg")), (png, svg));
        var (firstPng, firstSvg) = (File.ReadAllBytes(png), File.ReadAllBytes(svg));
        Assert.Equal((1000, 600), PngSize(firstPng));
        var svgRoot = Regex.Match(File.ReadAllText(svg), "<svg[^>]*>").Value;
        Assert.Contains("width=\"1000\"", svgRoot);
        Assert.Contains("height=\"600\"", svgRoot);
        LossPlot.Write(dir);
        Assert.Equal(firstPng, File.ReadAllBytes(png));
        Assert.Equal(firstSvg, File.ReadAllBytes(svg));
    }

    [Fact]
    public void The_attention_grid_has_a_panel_per_block_and_head_and_a_rerun_gives_the_same_bytes()
    {
        var cfg = GptFixtures.Variants["w6"]; // 2 blocks, 4 heads
        var p = GptFixtures.Parameters<float>(cfg, 1);
        int[] ids = [1, 2, 3, 4, 5];
        var weights = KvCache.AttentionWeights(p, cfg, ids);
        string[] tokens = ["a", "b", " ", "\n", "c"];
        var png = AttentionPlot.Png(weights, tokens);
        Assert.Equal((4 * AttentionPlot.Panel, 2 * AttentionPlot.Panel), PngSize(png));
        Assert.Equal(png, AttentionPlot.Png(weights, tokens));
        var e = Assert.Throws<ArgumentException>(() => AttentionPlot.Png(weights, ["a", "b"]));
        Assert.Contains("expected weights [4, 2, 2] for 2 tokens, got [4, 5, 5]", e.Message);
    }

    [Fact]
    public void Smoothing_is_a_bias_corrected_moving_average_that_skips_non_finite_losses()
    {
        // 40 points: window 2, β = 1/3. Point 0 is itself; point 1 weighs 3 by β and 0 by 1: (1/3·3 + 0)/(1/3 + 1) = 0.75;
        // a NaN keeps the average so far.
        double[] xs = [3, 0, double.NaN, .. Enumerable.Repeat(1.0, 37)];
        var s = LossPlot.Smooth(xs);
        Assert.Equal(3, s[0], 1e-15);
        Assert.Equal(0.75, s[1], 1e-15);
        Assert.Equal(0.75, s[2], 1e-15);
    }

    [Fact]
    public void Without_a_font_that_draws_text_plotting_fails_with_what_to_install()
    {
        var none = Assert.Throws<PlotFontException>(() => PlotFonts.Choose([]));
        Assert.Contains("apt-get install fonts-dejavu-core", none.Message);
        // A family that is not installed: Skia substitutes another face, which is not what was asked for.
        var missing = Assert.Throws<PlotFontException>(() => PlotFonts.Choose(["No Such Font 7"]));
        Assert.Contains("none of the installed fonts (No Such Font 7) draws", missing.Message);
        Assert.Equal(PlotFonts.Family, PlotFonts.Choose([PlotFonts.Family]));
    }

    [Fact]
    public void Train_with_plot_the_plot_verb_and_the_attention_verb_write_their_figures()
    {
        using var fnets = new Fnets();
        var train = fnets.TrainTiny("run", "--iters", "4", "--plot");
        Assert.True(train.Code == 0, train.Error);
        var dir = fnets.PathOf("run");
        var drawn = File.ReadAllBytes(Path.Combine(dir, "loss.png"));
        Assert.Equal((1000, 600), PngSize(drawn));
        var plot = Fnets.Run("plot", dir);
        Assert.True(plot.Code == 0, plot.Error);
        Assert.Equal(drawn, File.ReadAllBytes(Path.Combine(dir, "loss.png")));
        var png = fnets.PathOf("attention.png");
        var attention = Fnets.Run("attention", "--checkpoint", dir, "--prompt", "12+34=", "--out", png);
        Assert.True(attention.Code == 0, attention.Error);
        Assert.Equal((2 * AttentionPlot.Panel, AttentionPlot.Panel), PngSize(File.ReadAllBytes(png))); // the tiny preset: 1 block, 2 heads
        var tooLong = Fnets.Run("attention", "--checkpoint", dir, "--prompt", "12+34=468+1", "--out", png);
        Assert.Equal(2, tooLong.Code);
        Assert.Contains("--prompt must be 1 to 8 tokens", tooLong.Error);
    }
}
