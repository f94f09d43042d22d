using System.Text.RegularExpressions;

namespace FunctionalNets.Tests.Repository;

/// <summary>The determinism rules for src/, checked on the source text: no ambient randomness or clock.</summary>
public class SourceRulesTests
{
    private static readonly Regex Banned = new(@"new\s+(System\.)?Random\s*\(|Random\.Shared|DateTime(Offset)?\.(Utc)?Now|Guid\.NewGuid|Environment\.TickCount|\bTODO\b|NotImplementedException");

    internal static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FunctionalNets.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("FunctionalNets.sln not found above the test binaries"), "src");
    }

    [Fact]
    public void Library_sources_use_no_ambient_randomness_clock_or_stubs()
    {
        var offences = Directory.EnumerateFiles(SourceRoot(), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => Banned.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(SourceRoot(), x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, string.Join(Environment.NewLine, offences));
    }

    [Fact]
    public void The_scan_finds_the_library_sources() =>
        Assert.Contains(Directory.EnumerateFiles(SourceRoot(), "*.cs", SearchOption.AllDirectories), f => f.EndsWith("MatMul.cs", StringComparison.Ordinal));
}
