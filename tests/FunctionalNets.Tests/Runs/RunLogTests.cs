using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FunctionalNets.Runs;

namespace FunctionalNets.Tests.Runs;

public sealed class RunLogTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("fnets-runlog-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string WriteThreeSteps()
    {
        var path = Path.Combine(dir, "run.jsonl");
        using var log = RunLogWriter.Create(path, new JsonObject { ["format"] = RunLog.FormatVersion, ["seed"] = 7 });
        for (var step = 0; step < 3; step++)
            log.Write("step", new JsonObject { ["step"] = step, ["loss"] = 1.0 / (step + 1), ["ratio"] = RunLog.Number(double.NaN) });
        return path;
    }

    [Fact]
    public void Each_line_chains_the_sha256_of_the_previous_chain_and_its_own_text()
    {
        var path = WriteThreeSteps();
        var raw = File.ReadAllLines(path);
        Assert.Equal(4, raw.Length);
        // Recompute the chain independently from the raw text: strip the trailing chain field, hash prev ‖ rest.
        var chain = "";
        foreach (var line in raw)
        {
            var node = JsonNode.Parse(line)!.AsObject();
            var written = node["chain"]!.GetValue<string>();
            var content = line[..line.LastIndexOf(",\"chain\"", StringComparison.Ordinal)] + "}";
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(chain + content))), written);
            chain = written;
        }
        var lines = RunLog.Read(path);
        Assert.Equal(["header", "step", "step", "step"], lines.Select(l => l.Event));
        Assert.Null(lines[1].Fields["ratio"]); // NaN is written as null
        Assert.Equal(0.5, lines[2].Fields["loss"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("edit", 3)]
    [InlineData("delete", 2)]
    [InlineData("reorder", 2)]
    [InlineData("truncate", 4)]
    public void A_tampered_log_is_refused_naming_the_first_broken_line(string tamper, int brokenLine)
    {
        var path = WriteThreeSteps();
        var lines = File.ReadAllLines(path).ToList();
        switch (tamper)
        {
            case "edit": lines[2] = lines[2].Replace("\"loss\":0.5", "\"loss\":0.4"); break;
            case "delete": lines.RemoveAt(1); break;
            case "reorder": (lines[1], lines[2]) = (lines[2], lines[1]); break;
            case "truncate": lines[3] = lines[3][..(lines[3].Length / 2)]; break;
        }
        File.WriteAllLines(path, lines);
        var e = Assert.Throws<RunLogException>(() => RunLog.Read(path));
        Assert.Contains($"line {brokenLine} ", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Continue_keeps_the_first_lines_and_chains_new_ones_after_them()
    {
        var path = WriteThreeSteps();
        using (var log = RunLogWriter.Continue(path, keep: 2))
            log.Write("resume", new JsonObject { ["step"] = 1 });
        var lines = RunLog.Read(path);
        Assert.Equal(["header", "step", "resume"], lines.Select(l => l.Event));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_last_line_cut_short_without_its_newline_is_dropped_by_a_resume_and_reported_by_a_plain_read()
    {
        var path = WriteThreeSteps();
        var last = File.ReadAllLines(path)[^1];
        File.AppendAllText(path, last[..(last.Length / 2)]); // a crash in the middle of appending a fifth line
        var e = Assert.Throws<RunLogException>(() => RunLog.Read(path));
        Assert.Contains("line 5 has no chain field", e.Message);
        Assert.Equal(4, RunLog.Read(path, dropTornTail: true).Count);
        using (var log = RunLogWriter.Continue(path, keep: 3))
            log.Write("resume", new JsonObject { ["step"] = 2 });
        Assert.Equal(["header", "step", "step", "resume"], RunLog.Read(path).Select(l => l.Event));
    }

    [Theory]
    [InlineData("a last line cut short but ended with a newline", 4)]
    [InlineData("a line cut short before others", 2)]
    [InlineData("a header cut short", 1)]
    public void Any_other_broken_line_is_still_an_error_for_a_resume(string damage, int brokenLine)
    {
        var path = WriteThreeSteps();
        var lines = File.ReadAllLines(path);
        static string Half(string line) => line[..(line.Length / 2)];
        File.WriteAllText(path, brokenLine switch
        {
            4 => string.Join("\n", lines[..3]) + "\n" + Half(lines[3]) + "\n",
            2 => string.Join("\n", lines[0], Half(lines[1]), lines[2], lines[3]) + "\n",
            _ => Half(lines[0]),
        });
        var e = Assert.Throws<RunLogException>(() => RunLog.Read(path, dropTornTail: true));
        Assert.True(e.Message.Contains($"line {brokenLine} "), $"{damage}: {e.Message}");
    }

    [Fact]
    public void Create_refuses_to_overwrite_a_log()
    {
        var path = WriteThreeSteps();
        Assert.Throws<IOException>(() => RunLogWriter.Create(path, []));
        Assert.Equal(4, RunLog.Read(path).Count);
    }
}
