using FunctionalNets.Runs;

namespace FunctionalNets.Tests.Cli;

/// <summary>What one in-process <c>fnets</c> call printed and returned.</summary>
internal sealed record FnetsResult(int Code, string Out, string Error)
{
    /// <summary>The last line of standard output.</summary>
    public string LastLine => Out.TrimEnd().Split('\n')[^1];
}

/// <summary>Runs <c>fnets</c> in-process on a temporary folder that is deleted afterwards.</summary>
internal sealed class Fnets : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("fnets-cli-").FullName;

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    public string PathOf(string name) => Path.Combine(Dir, name);

    public static FnetsResult Run(params string[] args) => Run(CancellationToken.None, args);

    public static FnetsResult Run(CancellationToken stop, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = FunctionalNets.Cli.Cli.Run(args, stdout, stderr, stop);
        return new FnetsResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The tiny preset on the addition task with the given extra arguments, writing JSON lines.</summary>
    public FnetsResult TrainTiny(string run, params string[] extra) =>
        Run(["train", "--preset", "tiny", "--out", PathOf(run), "--json", .. extra]);

    /// <summary>The <c>done</c> line's digest of the run's last line, after checking the run log's chain.</summary>
    public string FinalDigest(string run)
    {
        var lines = RunLog.Read(Path.Combine(PathOf(run), LanguageModelRun.LogName));
        return lines[^1].Fields["digest"]!.GetValue<string>();
    }

    /// <summary>A text of <paramref name="repeats"/> copies of a short verse, written to <paramref name="name"/>.</summary>
    public string WriteText(string name, int repeats = 60)
    {
        var path = PathOf(name);
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog.\nso it goes, and so on; ", repeats)));
        return path;
    }
}
