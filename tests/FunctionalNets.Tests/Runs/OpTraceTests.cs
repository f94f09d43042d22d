using System.Diagnostics;
using FunctionalNets.Autodiff;
using FunctionalNets.Runs;
using FunctionalNets.Tensors;
using FunctionalNets.Tests.Kernels;

namespace FunctionalNets.Tests.Runs;

[Collection(ExclusivePool.Name)]
public sealed class OpTraceTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("fnets-trace-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Run(int channels = 16) => TinyRun.Train(Path.Combine(root, "run"), TinyRun.Spec(6, 3, channels: channels));

    [Fact]
    public void A_trace_holds_the_forward_ops_then_the_backward_ones_with_layer_paths_digests_and_statistics_of_their_results()
    {
        var dir = Run();
        var trace = OpTrace.Record(dir, step: 5);
        Assert.Equal(trace.Ops.Length, trace.Values.Length);
        var passes = trace.Ops.Select(o => o.Pass).ToList();
        Assert.Equal(passes.Order(), passes); // every forward op before every backward one
        Assert.Equal("Embedding", trace.Ops[0].Op);
        Assert.Contains(trace.Ops, o => o is { Pass: OpPass.Forward, Op: "MultiHeadAttention", Path: "blocks/0/attn" });
        Assert.Contains(trace.Ops, o => o is { Pass: OpPass.Backward, Op: "MatMul", Path: "blocks/0/mlp/fc", Input: 1 });
        for (var i = 0; i < trace.Ops.Length; i++)
        {
            var (op, value) = (trace.Ops[i], trace.Values[i]);
            Assert.Equal(op.Shape, value.Shape);
            Assert.Equal(TracedOp.DigestOf(value), op.Digest);
            Assert.Equal(TensorStats.Of(value), op.Stats);
        }
        // The traced step is the run's step 5: its loss is the one the log recorded, and the last forward result.
        var logged = RunLog.Read(Path.Combine(dir, LanguageModelRun.LogName)).Single(l => l.Event == "step" && l.Fields["step"]!.GetValue<long>() == 5);
        var lastForward = trace.Values[passes.LastIndexOf(OpPass.Forward)].ToScalar();
        Assert.Equal(logged.Fields["loss"]!.GetValue<double>(), trace.Header["loss"]!.GetValue<double>());
        Assert.Equal((double)lastForward, trace.Header["loss"]!.GetValue<double>());
        Assert.Equal(3, trace.Header["from"]!.GetValue<long>());
    }

    [Fact]
    public void A_trace_reads_back_as_written()
    {
        var trace = OpTrace.Record(Run(), step: 2);
        var path = Path.Combine(root, "step2.trace");
        trace.Write(path);
        var back = OpTrace.Read(path);
        Assert.Equal<TracedOp>(trace.Ops, back.Ops);
        Assert.All(trace.Values.Zip(back.Values), p => Assert.True(p.Item1.BitEquals(p.Item2)));
        Assert.Equal(trace.Header.ToJsonString(), back.Header.ToJsonString());
    }

    [Fact]
    public void One_and_two_threads_trace_the_same_bits_for_every_op()
    {
        var dir = Run(TinyRun.Wide);
        var one = OnThreads.Run(1, () => OpTrace.Record(dir, step: 4));
        var two = OnThreads.Run(2, () => OpTrace.Record(dir, step: 4));
        var diff = Diff.Traces(one, two);
        Assert.True(diff.Same, diff.ToString());
        Assert.Equal(one.Ops.Length, diff.Ops);
        Assert.Equal("threads: 1 → 2", Assert.Single(diff.Header).ToString());
    }

    [Fact]
    public void The_trace_diff_names_the_first_op_whose_result_differs_and_by_how_much()
    {
        var a = OpTrace.Record(Run(), step: 4);
        // Change two elements of op k's result, by 0.25 and 0.5: the largest absolute difference is 0.5 and 2 elements differ.
        var k = a.Ops.Length / 2;
        var changed = Tensor.Build<float>(a.Values[k].Shape, y =>
        {
            a.Values[k].Span.CopyTo(y);
            y[0] += 0.25f;
            y[^1] -= 0.5f;
        });
        var b = a with
        {
            Ops = a.Ops.SetItem(k, a.Ops[k] with { Digest = TracedOp.DigestOf(changed) }),
            Values = a.Values.SetItem(k, changed),
        };
        var first = Diff.Traces(a, b).First!;
        Assert.Equal(k, first.Index);
        Assert.Equal(a.Ops[k], first.A);
        Assert.Equal(2, first.Count);
        Assert.Equal((double)a.Values[k].Span[^1] - changed.Span[^1], first.MaxAbs);
        Assert.Equal(0.5, first.MaxAbs, 1e-6); // up to the rounding of the changed float
        Assert.Contains($"op {k}: {a.Ops[k].Label} in the {a.Ops[k].Pass.ToString().ToLowerInvariant()} pass at ", Diff.Traces(a, b).ToString());
        // A trace that ran another op there: named as such.
        var other = a with { Ops = a.Ops.SetItem(k, a.Ops[k] with { Op = "Elsewhere" }) };
        Assert.Contains("the traces ran different ops", Diff.Traces(a, other).ToString());
    }

    [Fact]
    public async Task A_trace_under_DOTNET_EnableAVX512_0_is_the_same_bits_or_the_diff_names_the_first_op_that_differs()
    {
        var dir = Run();
        var (path, avx2) = (Path.Combine(root, "default.trace"), Path.Combine(root, "no-avx512.trace"));
        OpTrace.Record(dir, step: 4).Write(path); // from the checkpoint at step 3: both traces start from the same bits
        var fnets = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, [Path.Combine(AppContext.BaseDirectory, "fnets.dll"), "trace", dir, "--step", "4", "--out", avx2])
        {
            Environment = { ["DOTNET_EnableAVX512"] = "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var (output, error) = (fnets.StandardOutput.ReadToEndAsync(), fnets.StandardError.ReadToEndAsync());
        await fnets.WaitForExitAsync();
        Assert.True(fnets.ExitCode == 0, await error + await output);
        var diff = Diff.Traces(OpTrace.Read(path), OpTrace.Read(avx2));
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            Assert.Contains(diff.Header, f => f.Field == "vector/v512" && f.A == "true" && f.B == "false");
        if (diff.First is { } first)
        {
            Assert.True(first.MaxAbs > 0 && first.Count > 0);
            Assert.Equal(first.A!.Label, first.B!.Label);
            Assert.Contains($"{first.A.Label} in the", diff.ToString());
        }
        else
        {
            Assert.Equal(diff.Ops, OpTrace.Read(path).Ops.Length);
        }
    }
}
