using System.Text.RegularExpressions;

namespace FunctionalNets.Tests.Docs;

/// <summary>
/// A fenced code block of README.md or a page under docs/: its language, code, the hidden context compiled before it,
/// and the output it shows.
/// </summary>
/// <param name="File">The markdown file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Code">The block's text.</param>
/// <param name="Context">
/// Code an HTML comment <c>&lt;!-- LANGUAGE-context … --&gt;</c> right before the block supplies (inputs a fragment
/// reads, usings), invisible on the rendered page; empty when there is none.
/// </param>
/// <param name="Expected">
/// The output the block shows: the run of <c>// …</c> comment lines that ends a block which prints (C#
/// <c>Console.Write</c>, F# <c>printf</c>); empty when the block shows none.
/// </param>
internal sealed record Snippet(string File, int Line, string Code, string Context, string[] Expected)
{
    /// <summary>Where the block is, for failure messages.</summary>
    public override string ToString() => $"{File}:{Line}";
}

internal static partial class Snippets
{
    /// <summary>The repository root: the folder above the test binaries that holds FunctionalNets.sln.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "FunctionalNets.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("FunctionalNets.sln not found above the test binaries");
        }
    }

    /// <summary>Every block of <paramref name="language"/> in README.md and docs/**/*.md, in file order.</summary>
    public static IReadOnlyList<Snippet> Of(string language)
    {
        var files = Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories)
            .Prepend(Path.Combine(Root, "README.md"))
            .Order(StringComparer.Ordinal);
        return [.. files.SelectMany(f => InFile(f, language))];
    }

    private static IEnumerable<Snippet> InFile(string path, string language)
    {
        var lines = System.IO.File.ReadAllLines(path);
        var relative = Path.GetRelativePath(Root, path);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```" + language) continue;
            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            if (end < 0) throw new InvalidDataException($"{relative}:{i + 1}: the ```{language} block is never closed");
            var code = lines[(i + 1)..end];
            yield return new Snippet(relative, i + 1, string.Join('\n', code), ContextBefore(lines, i, language), ExpectedOutput(code, language));
            i = end;
        }
    }

    // The body of a <!-- LANGUAGE-context … --> comment that ends on the line before the fence.
    private static string ContextBefore(string[] lines, int fence, string language)
    {
        if (fence == 0 || lines[fence - 1].Trim() != "-->") return "";
        var start = Array.FindLastIndex(lines, fence - 1, l => l.Trim() == $"<!-- {language}-context");
        return start < 0 ? "" : string.Join('\n', lines[(start + 1)..(fence - 1)]);
    }

    private static string[] ExpectedOutput(string[] code, string language)
    {
        var prints = language == "csharp" ? code.Any(l => l.Contains("Console.Write")) : code.Any(l => PrintfCall().IsMatch(l));
        if (!prints) return [];
        var tail = code.Reverse().TakeWhile(l => l.StartsWith("// ", StringComparison.Ordinal) || l == "//").Reverse();
        return [.. tail.Select(l => l.Length > 3 ? l[3..] : "")];
    }

    [GeneratedRegex(@"\bprintfn?\b")]
    private static partial Regex PrintfCall();
}
