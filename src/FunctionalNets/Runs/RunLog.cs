using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionalNets.Runs;

/// <summary>One line of a run log: its event name and its fields, as written.</summary>
/// <param name="Number">The line number in the file, from 1.</param>
/// <param name="Event">The <c>event</c> field: header, step, eval, checkpoint, resume, end.</param>
/// <param name="Fields">Every field of the line, the event and chain included.</param>
public sealed record RunLogLine(int Number, string Event, JsonObject Fields);

/// <summary>Thrown when a run log cannot be read or its chain does not hold; the message names the file and line.</summary>
public sealed class RunLogException(string message) : Exception(message);

/// <summary>
/// The run log <c>DIR/run.jsonl</c>: one JSON object per line, the first a header, each line ending in a
/// <c>chain</c> field, <c>SHA-256(previous chain ‖ this line without its chain)</c> as hex (the header's previous
/// chain is empty). An edited, deleted, reordered or truncated line breaks the chain at that line.
/// </summary>
/// <remarks>
/// The chained text of a line is its exact bytes up to <c>,"chain":"…"}</c>, closed with <c>}</c>, so verifying
/// needs no canonical re-serialisation. Non-finite numbers are written as <c>null</c> (JSON has no NaN).
/// </remarks>
public static class RunLog
{
    /// <summary>The format version written in the header's <c>format</c> field.</summary>
    public const int FormatVersion = 1;

    private const string ChainField = ",\"chain\":\"";

    /// <summary>The line <c>{event, …fields, chain}</c> chained after <paramref name="previousChain"/>, and its chain.</summary>
    public static (string Line, string Chain) Format(string previousChain, string eventName, JsonObject fields)
    {
        var content = new JsonObject { ["event"] = eventName };
        foreach (var (name, value) in fields) content[name] = value?.DeepClone();
        var text = content.ToJsonString();
        var chain = Chain(previousChain, text);
        return (string.Concat(text.AsSpan(0, text.Length - 1), ChainField, chain, "\"}"), chain);
    }

    /// <summary>A JSON number, or null when <paramref name="value"/> is NaN or infinite.</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>Reads and verifies every line of <paramref name="path"/>; the first broken line is an error naming it.</summary>
    /// <param name="path">The run log.</param>
    /// <param name="dropTornTail">
    /// Leave out a last line that does not verify and has no newline after it: the line a crash or a full disk cut
    /// short while it was appended (the writer ends every line with a newline). A resume reads this way, since it
    /// redoes the steps after its checkpoint anyway; replay and diff do not, and report the torn line.
    /// </param>
    public static IReadOnlyList<RunLogLine> Read(string path, bool dropTornTail = false)
    {
        if (!File.Exists(path)) throw new RunLogException($"{path}: no run log here");
        var texts = File.ReadAllLines(path, Encoding.UTF8);
        var lines = new List<RunLogLine>();
        var chain = "";
        for (var i = 0; i < texts.Length; i++)
        {
            var (text, number) = (texts[i], i + 1);
            var cut = text.LastIndexOf(ChainField, StringComparison.Ordinal);
            var written = cut < 0 || !text.EndsWith("\"}", StringComparison.Ordinal) ? null : text[(cut + ChainField.Length)..^2];
            if (written is null || written != Chain(chain, string.Concat(text.AsSpan(0, cut), "}")))
            {
                if (dropTornTail && number == texts.Length && number > 1 && !EndsWithNewline(path)) break;
                throw new RunLogException(written is null
                    ? $"{path}: line {number} has no chain field (truncated or edited)"
                    : $"{path}: line {number} breaks the chain (edited, deleted, reordered or truncated)");
            }
            var fields = Parse(path, number, text);
            if (number == 1 && Event(fields) != "header")
                throw new RunLogException($"{path}: line 1 is a '{Event(fields)}' line, not the header");
            lines.Add(new RunLogLine(number, Event(fields), fields));
            chain = written;
        }
        if (texts.Length == 0) throw new RunLogException($"{path}: the run log is empty");
        return lines;
    }

    private static bool EndsWithNewline(string path)
    {
        using var file = File.OpenRead(path);
        if (file.Length == 0) return false;
        file.Seek(-1, SeekOrigin.End);
        return file.ReadByte() == '\n';
    }

    private static JsonObject Parse(string path, int number, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new RunLogException($"{path}: line {number} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new RunLogException($"{path}: line {number} is not valid JSON ({e.Message})");
        }
    }

    private static string Event(JsonObject fields) => fields["event"]?.GetValue<string>() ?? "";

    private static string Chain(string previous, string content) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previous + content)));
}

/// <summary>
/// Appends chained lines to a run log, flushing each line so a crash loses at most the line being written (which
/// <see cref="RunLog.Read"/> then reports as truncated).
/// </summary>
public sealed class RunLogWriter : IDisposable
{
    private readonly StreamWriter writer;
    private string chain;

    private RunLogWriter(StreamWriter writer, string chain) => (this.writer, this.chain) = (writer, chain);

    /// <summary>Starts a new log at <paramref name="path"/> (refusing to overwrite one) with its header line.</summary>
    public static RunLogWriter Create(string path, JsonObject header)
    {
        var log = new RunLogWriter(new StreamWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write), new UTF8Encoding(false)), "");
        log.Write("header", header);
        return log;
    }

    /// <summary>
    /// Continues the log at <paramref name="path"/> after its first <paramref name="keep"/> lines (for a resume: the
    /// lines up to the checkpoint it resumes from; later ones will be recomputed). The kept lines are verified and
    /// rewritten atomically (temp file, rename), then appended to. A torn last line is dropped with the lines after
    /// the kept ones (see <see cref="RunLog.Read"/>).
    /// </summary>
    public static RunLogWriter Continue(string path, int keep)
    {
        var lines = RunLog.Read(path, dropTornTail: true);
        if (keep < 1 || keep > lines.Count)
            throw new RunLogException($"{path}: cannot keep {keep} of its {lines.Count} lines");
        var kept = File.ReadLines(path, Encoding.UTF8).Take(keep).ToList();
        var temp = path + ".tmp";
        File.WriteAllLines(temp, kept, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
        var last = lines[keep - 1].Fields["chain"]!.GetValue<string>();
        return new RunLogWriter(new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write), new UTF8Encoding(false)), last);
    }

    /// <summary>Appends the line <c>{event, …fields, chain}</c> and flushes it.</summary>
    public void Write(string eventName, JsonObject fields)
    {
        var (line, next) = RunLog.Format(chain, eventName, fields);
        writer.WriteLine(line);
        writer.Flush();
        chain = next;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => writer.Dispose();
}
