using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FunctionalNets.Tests.Docs;

/// <summary>
/// The docs compile: every C# block of README.md and docs/ is compiled (one compilation, each block in its own
/// namespace, its statements in a method), and every F# block is run by <c>dotnet fsi</c> against the built
/// assemblies. A block that shows its output (trailing <c>// …</c> lines after code that prints) is run and its
/// output compared line by line.
/// </summary>
public partial class DocSnippetTests
{
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    // The usings an SDK project with ImplicitUsings gives a console program.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Fact]
    public void Csharp_blocks_compile_and_show_their_output()
    {
        var snippets = Snippets.Of("csharp");
        Assert.Contains(snippets, s => s.Expected.Length > 0);
        var trees = snippets.Select((s, i) => CSharpSyntaxTree.ParseText(Wrap(s, i), Parse, path: s.File, encoding: Encoding.UTF8))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, Parse));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("DocSnippets", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => $"{Where(d)}: {d.GetMessage()}").ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));

        var context = new AssemblyLoadContext("DocSnippets", isCollectible: true);
        try
        {
            image.Position = 0;
            var assembly = context.LoadFromStream(image);
            var mismatches = snippets.Select((s, i) => (s, i)).Where(x => x.s.Expected.Length > 0)
                .Select(x => Compare(x.s, RunSnippet(assembly, x.i))).Where(m => m is not null).ToList();
            Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void Fsharp_blocks_run_in_fsi_and_show_their_output()
    {
        var snippets = Snippets.Of("fsharp");
        Assert.Contains(snippets, s => s.Expected.Length > 0);
        var dir = Directory.CreateTempSubdirectory("fnets-doc-fsharp-");
        try
        {
            for (var i = 0; i < snippets.Count; i++)
                File.WriteAllText(Path.Combine(dir.FullName, $"Block{i}.fsx"), LocalReferences(snippets[i]));
            var main = Path.Combine(dir.FullName, "Main.fsx");
            File.WriteAllLines(main, snippets.Select((_, i) => $"#load \"Block{i}.fsx\""));
            var (code, output, errors) = Fsi(main);
            Assert.True(code == 0, $"dotnet fsi exited with {code}:{Environment.NewLine}{errors}{Environment.NewLine}{output}");
            var expected = snippets.SelectMany(s => s.Expected).ToArray();
            var actual = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
            Assert.Equal(expected, actual);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // The block as a compilation unit: its (and its context's) usings on top, its types in namespace DocN, and its
    // statements, context first, in DocN.Snippet.Run. #line maps the block's lines back to the markdown file.
    private static string Wrap(Snippet s, int index)
    {
        var context = CSharpSyntaxTree.ParseText(s.Context, Parse).GetCompilationUnitRoot();
        var code = CSharpSyntaxTree.ParseText(s.Code, Parse).GetCompilationUnitRoot();
        var sb = new StringBuilder();
        foreach (var u in context.Usings.Concat(code.Usings)) sb.AppendLine(u.ToString());
        sb.AppendLine($"namespace Doc{index} {{");
        foreach (var m in code.Members.Where(m => m is not GlobalStatementSyntax))
            sb.AppendLine($"#line {s.Line + 1 + LineOf(m)} \"{s.File}\"").AppendLine(m.ToString()).AppendLine("#line default");
        sb.AppendLine("public static class Snippet { public static void Run() {");
        foreach (var m in context.Members.OfType<GlobalStatementSyntax>())
            sb.AppendLine("#line hidden").AppendLine(m.ToString()).AppendLine("#line default");
        foreach (var m in code.Members.OfType<GlobalStatementSyntax>())
            sb.AppendLine($"#line {s.Line + 1 + LineOf(m)} \"{s.File}\"").AppendLine(m.ToString()).AppendLine("#line default");
        return sb.AppendLine("} } }").ToString();
    }

    private static int LineOf(SyntaxNode node) => node.SyntaxTree.GetLineSpan(node.Span).StartLinePosition.Line;

    private static string Where(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        return $"{span.Path}:{span.StartLinePosition.Line + 1}";
    }

    private static readonly Lock Console_ = new();

    private static string[] RunSnippet(Assembly assembly, int index)
    {
        var run = assembly.GetType($"Doc{index}.Snippet")!.GetMethod("Run")!;
        lock (Console_)
        {
            var (saved, captured) = (Console.Out, new StringWriter());
            Console.SetOut(captured);
            try
            {
                run.Invoke(null, null);
            }
            finally
            {
                Console.SetOut(saved);
            }
            return captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        }
    }

    private static string? Compare(Snippet s, string[] actual) =>
        s.Expected.SequenceEqual(actual)
            ? null
            : $"{s}: the block shows{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", s.Expected)}{Environment.NewLine}but prints{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", actual)}";

    // The block with each #r of a built assembly pointed at the copy next to the tests, the context first.
    private static string LocalReferences(Snippet s) =>
        s.Context + "\n" + Reference().Replace(s.Code, m =>
        {
            var local = Path.Combine(AppContext.BaseDirectory, Path.GetFileName(m.Groups[1].Value));
            return File.Exists(local) ? $"#r \"{local}\"" : throw new FileNotFoundException($"{s}: #r {m.Groups[1].Value} is not a built assembly");
        });

    [GeneratedRegex("""#r\s+"([^"]+\.dll)"(?=\s*$)""", RegexOptions.Multiline)]
    private static partial Regex Reference();

    private static (int Code, string Output, string Errors) Fsi(string script)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["fsi", "--nologo", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, output, "dotnet fsi did not finish within 3 minutes");
        }
        return (process.ExitCode, output, errors.Result);
    }
}
