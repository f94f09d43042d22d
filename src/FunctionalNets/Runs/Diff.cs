using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FunctionalNets.IO;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Runs;

/// <summary>A field that two JSON descriptions give different values (null: absent), named by its slash path (<c>training/lr</c>).</summary>
/// <param name="Field">The field's path.</param>
/// <param name="A">Its value in the first, as JSON, or null when absent.</param>
/// <param name="B">Its value in the second.</param>
public sealed record FieldDifference(string Field, string? A, string? B)
{
    /// <summary><c>training/lr: 0.003 → 0.001</c>.</summary>
    public override string ToString() => $"{Field}: {A ?? "(absent)"} → {B ?? "(absent)"}";
}

/// <summary>Two runs compared: their settings, where they ran, and their parameter digests step by step.</summary>
/// <param name="Config">The run settings that differ (model, training, seed, data, …).</param>
/// <param name="Environment">The environment fields that differ (library, commit, threads, vector paths, …).</param>
/// <param name="LastA">The last step in the first run's log.</param>
/// <param name="LastB">The last step in the second run's log.</param>
/// <param name="Compared">Steps at which both logs have a digest, up to and including the first that differs.</param>
/// <param name="FirstDifferentStep">The first step whose digests differ, or null.</param>
public sealed record RunComparison(ImmutableArray<FieldDifference> Config, ImmutableArray<FieldDifference> Environment, long LastA, long LastB,
    int Compared, long? FirstDifferentStep)
{
    /// <summary>Whether the settings match and every common digest agrees.</summary>
    public bool Same => Config.IsEmpty && FirstDifferentStep is null;

    /// <summary>One line per finding: config, environment, digests.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine(Config.IsEmpty ? "config: the same" : $"config: {Config.Length} field(s) differ");
        foreach (var f in Config) sb.AppendLine($"  {f}");
        if (!Environment.IsEmpty) sb.AppendLine($"environment: {string.Join("; ", Environment)}");
        sb.Append(FirstDifferentStep is { } step
            ? $"digests: first differ at step {step} ({Compared - 1} common digests agree before it)"
            : $"digests: the {Compared} common digests agree (steps up to {Math.Min(LastA, LastB)})");
        if (LastA != LastB) sb.Append($"; the logs end at steps {LastA} and {LastB}");
        return sb.ToString();
    }
}

/// <summary>A parameter path at which two trees differ: in shape or presence, or in value (max |a − b|, max relative difference, count).</summary>
/// <param name="Path">The parameter path.</param>
/// <param name="A">Its shape in the first tree, or null when absent.</param>
/// <param name="B">Its shape in the second.</param>
/// <param name="MaxAbs">max |a − b| over the elements (NaN when the shapes differ).</param>
/// <param name="MaxRel">max |a − b| / max(|a|, |b|) over the elements that differ.</param>
/// <param name="Count">Elements whose bits differ.</param>
public sealed record ParamDifference(string Path, Shape? A, Shape? B, double MaxAbs, double MaxRel, long Count)
{
    /// <summary><c>path: max abs …, max rel …, n of N elements</c>, or what is missing or reshaped.</summary>
    public override string ToString() =>
        A is null ? $"{Path}: only in B {B}"
        : B is null ? $"{Path}: only in A {A}"
        : A != B ? $"{Path}: shape {A} → {B}"
        : string.Create(CultureInfo.InvariantCulture, $"{Path}: max abs {MaxAbs:G6}, max rel {MaxRel:G6}, {Count} of {A.Size} elements differ");
}

/// <summary>Two checkpoints compared parameter by parameter.</summary>
/// <param name="StepA">The first checkpoint's step.</param>
/// <param name="StepB">The second's.</param>
/// <param name="Paths">Parameter paths in either.</param>
/// <param name="Differences">The paths that differ, in path order.</param>
public sealed record CheckpointComparison(long StepA, long StepB, int Paths, ImmutableArray<ParamDifference> Differences)
{
    /// <summary>Whether every parameter is the same bits.</summary>
    public bool Same => Differences.IsEmpty;

    /// <summary>The steps, then one line per differing path.</summary>
    public override string ToString() =>
        $"steps {StepA} and {StepB}: " + (Same ? $"all {Paths} parameters are the same bits"
            : $"{Differences.Length} of {Paths} parameters differ{System.Environment.NewLine}" + string.Join(System.Environment.NewLine, Differences.Select(d => $"  {d}")));
}

/// <summary>The first op at which two traces differ.</summary>
/// <param name="Index">Its position in the traces.</param>
/// <param name="A">The first trace's op there, or null when that trace ended.</param>
/// <param name="B">The second's.</param>
/// <param name="MaxAbs">max |a − b| over the results' elements (NaN when the ops or shapes differ; ∞ where one is NaN and the other not).</param>
/// <param name="Count">Elements whose bits differ.</param>
public sealed record OpDifference(int Index, TracedOp? A, TracedOp? B, double MaxAbs, long Count);

/// <summary>Two traces compared op by op.</summary>
/// <param name="Header">The header fields that differ: the step, the loss, the environment (vector paths, threads, …).</param>
/// <param name="Ops">Ops compared (both traces' length when they agree).</param>
/// <param name="First">The first difference, or null when the traces are the same bits.</param>
public sealed record TraceComparison(ImmutableArray<FieldDifference> Header, int Ops, OpDifference? First)
{
    /// <summary>Whether every op's result is the same bits.</summary>
    public bool Same => First is null;

    /// <summary>The header fields that differ, then the first op that differs: pass, op, layer path and max abs difference.</summary>
    public override string ToString() =>
        (Header.IsEmpty ? "" : $"header: {string.Join("; ", Header)}{System.Environment.NewLine}") + FirstOp();

    private string FirstOp()
    {
        if (First is not { } d) return $"the same bits for all {Ops} ops";
        if (d.A is null || d.B is null) return $"op {d.Index}: only {(d.A is null ? "B" : "A")} goes on ({(d.A ?? d.B)!.Label} at {Where(d.A ?? d.B!)})";
        if (d.A.Label != d.B.Label || d.A.Path != d.B.Path || d.A.Shape != d.B.Shape)
            return $"op {d.Index}: the traces ran different ops: {d.A.Label} {d.A.Shape} at {Where(d.A)} vs {d.B.Label} {d.B.Shape} at {Where(d.B)}";
        return string.Create(CultureInfo.InvariantCulture,
            $"op {d.Index}: {d.A.Label} in the {d.A.Pass.ToString().ToLowerInvariant()} pass at {Where(d.A)} differs first: max abs difference {d.MaxAbs:G6}, {d.Count} of {d.A.Shape.Size} elements");
    }

    private static string Where(TracedOp op) => op.Path.Length > 0 ? op.Path : "(top level)";
}

/// <summary>
/// Finds where two runs, two checkpoints or two op traces part: the config fields and the first step whose digest
/// differs; the parameter paths that differ and by how much; the first op whose result differs.
/// </summary>
public static class Diff
{
    /// <summary>Compares the run logs in two run directories (both chains are verified first).</summary>
    public static RunComparison Runs(string directoryA, string directoryB)
    {
        var (a, b) = (RunLog.Read(Path.Combine(directoryA, LanguageModelRun.LogName)), RunLog.Read(Path.Combine(directoryB, LanguageModelRun.LogName)));
        var (headerA, headerB) = (a[0].Fields, b[0].Fields);
        var config = Fields(headerA["run"], headerB["run"], "");
        string[] bookkeeping = ["event", "run", "chain"];
        var environment = Fields(Without(headerA, bookkeeping), Without(headerB, bookkeeping), "");
        var (digestsA, digestsB) = (StepDigests(a), StepDigests(b));
        var compared = 0;
        long? first = null;
        foreach (var (step, digest) in digestsA)
        {
            if (!digestsB.TryGetValue(step, out var other)) continue;
            compared++;
            if (digest == other) continue;
            first = step;
            break;
        }
        return new(config, environment, LastStep(a), LastStep(b), compared, first);
    }

    /// <summary>
    /// The parameter paths at which two runs differ after <paramref name="step"/>: each run re-executed from its newest
    /// checkpoint at or before the step (<see cref="Replay.StateAt"/>), and checked against its log's digest there.
    /// </summary>
    /// <remarks>
    /// Re-executing runs here only shows their differences if each replays here as it ran: a run whose recomputed
    /// digest differs from its log (another machine's vector width, say) is an <see cref="InvalidOperationException"/>
    /// saying so, not a silent comparison of two runs that both became this machine's.
    /// </remarks>
    public static ImmutableArray<ParamDifference> RunParameters(string directoryA, string directoryB, long step) =>
        Parameters(ParamsAt(directoryA, step), ParamsAt(directoryB, step));

    private static Params<float> ParamsAt(string directory, long step)
    {
        var logged = Replay.Digests(RunLog.Read(Path.Combine(directory, LanguageModelRun.LogName))).Logged;
        var parameters = Replay.StateAt(Replay.Open(directory), step).Params;
        return !logged.TryGetValue(step, out var digest) || parameters.Digest() == digest ? parameters
            : throw new InvalidOperationException(
                $"{directory}: re-executed here, step {step} gives digest {parameters.Digest()}, but its log recorded {digest}: the run does not replay on this machine (see fnets replay), so its parameters cannot be compared");
    }

    /// <summary>Compares the parameters of two checkpoint files (each read and checked as a resume would).</summary>
    public static CheckpointComparison Checkpoints(string pathA, string pathB)
    {
        var (a, b) = (Checkpoint.Read<float>(pathA).State, Checkpoint.Read<float>(pathB).State);
        return new(a.Step, b.Step, a.Params.Paths.Union(b.Params.Paths).Count(), Parameters(a.Params, b.Params));
    }

    /// <summary>The paths at which two parameter trees differ, in path order: presence, shape, or values.</summary>
    public static ImmutableArray<ParamDifference> Parameters<T>(Params<T> a, Params<T> b)
        where T : unmanaged, INumber<T>
    {
        var differences = ImmutableArray.CreateBuilder<ParamDifference>();
        foreach (var path in a.Paths.Union(b.Paths).Order(StringComparer.Ordinal))
        {
            var (inA, inB) = (a.TryGetValue(path, out var x), b.TryGetValue(path, out var y));
            if (!inA || !inB || x!.Shape != y!.Shape)
                differences.Add(new(path, x?.Shape, y?.Shape, double.NaN, double.NaN, 0));
            else if (Compare(x, y) is { Count: > 0 } d)
                differences.Add(new(path, x.Shape, y.Shape, d.MaxAbs, d.MaxRel, d.Count));
        }
        return differences.ToImmutable();
    }

    /// <summary>Compares two traces op by op: the first op whose kind, place, shape or result bits differ.</summary>
    public static TraceComparison Traces(OpTrace a, OpTrace b)
    {
        var header = Fields(a.Header, b.Header, "");
        var common = Math.Min(a.Ops.Length, b.Ops.Length);
        for (var i = 0; i < common; i++)
        {
            var (x, y) = (a.Ops[i], b.Ops[i]);
            if (x.Label != y.Label || x.Path != y.Path || x.Shape != y.Shape)
                return new(header, i + 1, new(i, x, y, double.NaN, 0));
            if (x.Digest != y.Digest)
            {
                var (maxAbs, _, count) = Compare(a.Values[i], b.Values[i]);
                return new(header, i + 1, new(i, x, y, maxAbs, count));
            }
        }
        return a.Ops.Length == b.Ops.Length ? new(header, common, null)
            : new(header, common, new(common, a.Ops.ElementAtOrDefault(common), b.Ops.ElementAtOrDefault(common), double.NaN, 0));
    }

    // max |a − b|, max |a − b| / max(|a|, |b|) and the count over the elements whose bits differ; a NaN against a
    // number (or two different infinities) counts as ∞.
    private static (double MaxAbs, double MaxRel, long Count) Compare<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, INumber<T>
    {
        var (maxAbs, maxRel, count) = (0.0, 0.0, 0L);
        ReadOnlySpan<T> x = a.Span, y = b.Span;
        for (var i = 0; i < x.Length; i++)
        {
            var (u, v) = (double.CreateTruncating(x[i]), double.CreateTruncating(y[i]));
            if (u.Equals(v) && double.IsNegative(u) == double.IsNegative(v)) continue;
            count++;
            var abs = Math.Abs(u - v);
            if (double.IsNaN(abs)) abs = double.PositiveInfinity;
            var scale = Math.Max(Math.Abs(u), Math.Abs(v));
            (maxAbs, maxRel) = (Math.Max(maxAbs, abs), Math.Max(maxRel, scale > 0 ? abs / scale : 0));
        }
        return (maxAbs, maxRel, count);
    }

    // The leaf fields (slash paths) whose JSON differs, in A's order then B's.
    private static ImmutableArray<FieldDifference> Fields(JsonNode? a, JsonNode? b, string prefix)
    {
        if (a is JsonObject x && b is JsonObject y)
            return [.. x.Select(kv => kv.Key).Concat(y.Select(kv => kv.Key).Where(k => !x.ContainsKey(k)))
                .SelectMany(k => Fields(x[k], y[k], prefix + k + "/"))];
        var (ja, jb) = (a?.ToJsonString(Readable), b?.ToJsonString(Readable));
        return ja == jb ? [] : [new FieldDifference(prefix.TrimEnd('/'), ja, jb)];
    }

    // JSON as people read it: '+' and non-ASCII letters as themselves, not \u escapes.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonObject Without(JsonObject o, string[] names) =>
        new(o.Where(kv => !names.Contains(kv.Key)).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));

    private static SortedDictionary<long, string> StepDigests(IReadOnlyList<RunLogLine> lines) =>
        new(lines.Where(l => l.Event == "step" && l.Fields["digest"] is not null)
            .ToDictionary(l => l.Fields["step"]!.GetValue<long>(), l => l.Fields["digest"]!.GetValue<string>()));

    private static long LastStep(IReadOnlyList<RunLogLine> lines) =>
        lines.Where(l => l.Event == "step").Select(l => l.Fields["step"]!.GetValue<long>()).DefaultIfEmpty(0).Max();
}
