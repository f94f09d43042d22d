using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FunctionalNets.Autodiff;
using FunctionalNets.IO;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Runs;

/// <summary>One op's result in a trace: which op, where, and what it computed.</summary>
/// <param name="Pass">The pass it ran in.</param>
/// <param name="Op">The op's name.</param>
/// <param name="Path">The layer path it ran under (empty at the top level).</param>
/// <param name="Input">Backward: the input whose cotangent this is (0-based); −1 in the forward pass.</param>
/// <param name="Shape">The result's shape.</param>
/// <param name="Digest">SHA-256 of the result: <see cref="Params{T}.Digest"/> of the one-tensor tree at the empty path.</param>
/// <param name="Stats">Min, max and mean of the finite elements and the non-finite counts.</param>
public sealed record TracedOp(OpPass Pass, string Op, string Path, int Input, Shape Shape, string Digest, TensorStats Stats)
{
    /// <summary>The op in the forward pass (<c>MatMul</c>); the cotangent of its input i in the backward pass (<c>MatMul.vjp[1]</c>).</summary>
    public string Label => Pass == OpPass.Forward ? Op : $"{Op}.vjp[{Input}]";

    /// <summary>The digest of <paramref name="value"/> as a trace records it.</summary>
    public static string DigestOf(Tensor<float> value) => Params<float>.Empty.With("", value).Digest();
}

/// <summary>
/// An op-level trace of one computation: every op of the forward pass in execution order, then every cotangent of
/// the backward pass in reverse-mode order, each with its result. Made by <see cref="Record"/> for a training step
/// of a run, compared by <see cref="Diff.Traces"/>.
/// </summary>
/// <param name="Header">What was traced and where: <c>run</c>, <c>step</c>, <c>loss</c> and the <see cref="RunEnvironment"/>.</param>
/// <param name="Ops">The ops, in order.</param>
/// <param name="Values">Each op's result, in the same order.</param>
/// <remarks>
/// On disk a trace is a safetensors file: the results as tensors <c>000000</c>, <c>000001</c>, … and the header and
/// ops as JSON in the metadata entry <see cref="MetadataKey"/>; Python's <c>safetensors</c> loads it as it is.
/// </remarks>
public sealed record OpTrace(JsonObject Header, ImmutableArray<TracedOp> Ops, ImmutableArray<Tensor<float>> Values)
{
    /// <summary>The metadata entry that holds the header and the ops.</summary>
    public const string MetadataKey = "trace";

    /// <summary>The trace of what <paramref name="run"/> computes while it passes the observer it is given to the ops.</summary>
    public static OpTrace Of(JsonObject header, Action<IOpObserver<float>> run)
    {
        var recorder = new Recorder();
        run(recorder);
        return new(header, recorder.Ops.ToImmutable(), recorder.Values.ToImmutable());
    }

    /// <summary>
    /// The trace of step <paramref name="step"/> (1-based, as the run log numbers steps) of the run in
    /// <paramref name="directory"/>: re-executed from the newest valid checkpoint before it, its loss and gradients
    /// computed under watch. Nothing is written into the run directory.
    /// </summary>
    /// <remarks>
    /// To compare environments (vector paths, thread counts), trace a step right after a checkpoint (or step 1): both
    /// traces then start from the same bits, and the first op that differs is where the environments part.
    /// </remarks>
    public static OpTrace Record(string directory, long step)
    {
        if (step < 1) throw new ArgumentException($"{directory}: steps are numbered from 1, got {step}");
        var run = Replay.Open(directory);
        var trainer = run.Trainer();
        var start = Replay.Nearest(run, step - 1).State;
        var before = trainer.Fit(start, LanguageModelRun.LongRange(start.Step, step - 1));
        var header = new JsonObject { ["run"] = Path.GetFullPath(directory), ["step"] = step, ["from"] = start.Step };
        foreach (var (name, value) in RunEnvironment.Describe()) header[name] = value?.DeepClone();
        return Of(header, observer => header["loss"] = RunLog.Number(trainer.Gradients(before, before.Step, observer).Loss));
    }

    /// <summary>Writes the trace to <paramref name="path"/> atomically, as a safetensors file (see the remarks on <see cref="OpTrace"/>).</summary>
    public void Write(string path)
    {
        var ops = new JsonArray();
        foreach (var op in Ops)
            ops.Add(new JsonObject
            {
                ["pass"] = op.Pass.ToString().ToLowerInvariant(),
                ["op"] = op.Op,
                ["path"] = op.Path,
                ["input"] = op.Input,
                ["shape"] = new JsonArray([.. op.Shape.Select(d => JsonValue.Create(d))]),
                ["digest"] = op.Digest,
                ["count"] = op.Stats.Count,
                ["min"] = RunLog.Number(op.Stats.Min),
                ["max"] = RunLog.Number(op.Stats.Max),
                ["mean"] = RunLog.Number(op.Stats.Mean),
                ["nan"] = op.Stats.NaN,
                ["pos_inf"] = op.Stats.PositiveInfinity,
                ["neg_inf"] = op.Stats.NegativeInfinity,
            });
        var meta = new JsonObject { ["header"] = Header.DeepClone(), ["ops"] = ops };
        Safetensors.Write(path, SafetensorsFile.Of(
            Values.Select((v, i) => KeyValuePair.Create(Name(i), StoredTensor.Of(v))),
            [KeyValuePair.Create(MetadataKey, meta.ToJsonString())]));
    }

    /// <summary>The trace in the file at <paramref name="path"/>; a file that is not a trace is an <see cref="InvalidDataException"/> naming it.</summary>
    public static OpTrace Read(string path)
    {
        var file = Safetensors.Read(path);
        if (!file.Metadata.TryGetValue(MetadataKey, out var text))
            throw new InvalidDataException($"{path}: not an op trace (no '{MetadataKey}' metadata)");
        try
        {
            var meta = JsonNode.Parse(text)!.AsObject();
            var ops = meta["ops"]!.AsArray().Select(o => Op(o!.AsObject())).ToImmutableArray();
            var values = ops.Select((op, i) => file.Tensors.TryGetValue(Name(i), out var t) && t.Shape == op.Shape ? t.As<float>()
                : throw new InvalidDataException($"{path}: op {i} ({op.Label}) has no result {op.Shape} stored under '{Name(i)}'")).ToImmutableArray();
            return new(meta["header"]!.AsObject(), ops, values);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"{path}: the trace's metadata is malformed ({e.Message})", e);
        }
    }

    /// <summary>One line per op: index, pass, op, layer path, shape, the digest's first 12 digits, min, max, mean and non-finite count.</summary>
    public string Table()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"#",5} {"pass",-8} {"op",-26} {"path",-24} {"shape",-16} {"digest",-12} {"min",11} {"max",11} {"mean",11} {"non-finite",10}");
        for (var i = 0; i < Ops.Length; i++)
        {
            var (op, s) = (Ops[i], Ops[i].Stats);
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{i,5} {op.Pass.ToString().ToLowerInvariant(),-8} {op.Label,-26} {op.Path,-24} {op.Shape,-16} {op.Digest[..12],-12} {s.Min,11:G5} {s.Max,11:G5} {s.Mean,11:G5} {s.NonFinite,10}");
        }
        return sb.ToString();
    }

    private static string Name(int index) => index.ToString("D6", CultureInfo.InvariantCulture);

    private static TracedOp Op(JsonObject o)
    {
        double Number(string name) => o[name]?.GetValue<double>() ?? double.NaN;
        var pass = o["pass"]!.GetValue<string>() switch
        {
            "forward" => OpPass.Forward,
            "backward" => OpPass.Backward,
            var other => throw new FormatException($"unknown pass '{other}'"),
        };
        return new(pass, o["op"]!.GetValue<string>(), o["path"]!.GetValue<string>(), o["input"]!.GetValue<int>(),
            Shape.Of([.. o["shape"]!.AsArray().Select(d => d!.GetValue<int>())]), o["digest"]!.GetValue<string>(),
            new TensorStats(o["count"]!.GetValue<long>(), Number("min"), Number("max"), Number("mean"), o["nan"]!.GetValue<long>(),
                o["pos_inf"]!.GetValue<long>(), o["neg_inf"]!.GetValue<long>()));
    }

    // Keeps every result with its statistics and digest: forward results, then each non-null cotangent.
    private sealed class Recorder : IOpObserver<float>
    {
        public ImmutableArray<TracedOp>.Builder Ops { get; } = ImmutableArray.CreateBuilder<TracedOp>();

        public ImmutableArray<Tensor<float>>.Builder Values { get; } = ImmutableArray.CreateBuilder<Tensor<float>>();

        public void Forward(ForwardOp<float> op) => Add(OpPass.Forward, op.Op, op.Path, -1, op.Output.Value);

        public void Backward(BackwardOp<float> op)
        {
            for (var i = 0; i < op.Dxs.Count; i++)
                if (op.Dxs[i] is { } dx)
                    Add(OpPass.Backward, op.Op, op.Path, i, dx);
        }

        private void Add(OpPass pass, string name, string path, int input, Tensor<float> value)
        {
            Ops.Add(new(pass, name, path, input, value.Shape, TracedOp.DigestOf(value), TensorStats.Of(value)));
            Values.Add(value);
        }
    }
}
