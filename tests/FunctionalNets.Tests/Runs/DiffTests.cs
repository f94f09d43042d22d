using FunctionalNets.IO;
using FunctionalNets.Parameters;
using FunctionalNets.Runs;
using FunctionalNets.Tensors;
using FunctionalNets.Tests.Kernels;

namespace FunctionalNets.Tests.Runs;

[Collection(ExclusivePool.Name)]
public sealed class DiffTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("fnets-diff-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Two_runs_that_differ_in_one_field_show_that_field_and_part_at_the_first_step()
    {
        var a = TinyRun.Train(Path.Combine(root, "a"), TinyRun.Spec(6, 3));
        var b = TinyRun.Train(Path.Combine(root, "b"), TinyRun.Spec(6, 3, lr: 1e-3));
        var diff = Diff.Runs(a, b);
        Assert.Equal<FieldDifference>([new FieldDifference("training/lr", "0.003", "0.001"), new FieldDifference("training/min_lr", "0.00030000000000000003", "0.0001")],
            diff.Config);
        Assert.Equal(1, diff.FirstDifferentStep); // the first update already uses the learning rate
        Assert.False(diff.Same);
        Assert.Contains("digests: first differ at step 1", diff.ToString());
    }

    [Fact]
    public void Re_executed_to_the_first_step_that_differs_two_runs_name_the_parameters_that_differ()
    {
        var a = TinyRun.Train(Path.Combine(root, "a"), TinyRun.Spec(3, 3));
        var b = TinyRun.Train(Path.Combine(root, "b"), TinyRun.Spec(3, 3, lr: 1e-3));
        var differences = Diff.RunParameters(a, b, 1);
        // Both start from the same initial parameters (same seed); AdamW moves each by about the learning rate, which differs.
        var initial = LanguageModelRun.Initial(TinyRun.Spec(3, 3)).Params;
        Assert.Equal(initial.Paths, differences.Select(d => d.Path));
        Assert.All(differences, d => Assert.True(d.Count > 0));
        // A run whose log does not match what it computes here cannot be compared this way.
        TinyRun.ForgeDigest(b, 1);
        var e = Assert.Throws<InvalidOperationException>(() => Diff.RunParameters(a, b, 1));
        Assert.Contains("the run does not replay on this machine", e.Message);
    }

    [Fact]
    public void Two_runs_of_the_same_spec_agree_on_every_digest()
    {
        var spec = TinyRun.Spec(5, 5);
        var diff = Diff.Runs(TinyRun.Train(Path.Combine(root, "a"), spec), TinyRun.Train(Path.Combine(root, "b"), spec));
        Assert.True(diff.Same);
        Assert.Equal((5, 5L, 5L), (diff.Compared, diff.LastA, diff.LastB));
        Assert.Empty(diff.Environment);
    }

    [Fact]
    public void Parameter_trees_differ_by_path_in_order_with_the_max_absolute_and_relative_difference()
    {
        var a = Params<float>.Empty.With("w", Tensor.Vector(1f, 2f, 3f)).With("b", Tensor.Vector(0f, 0f)).With("same", Tensor.Vector(7f));
        var b = Params<float>.Empty.With("w", Tensor.Vector(1f, 2.5f, 2f)).With("c", Tensor.Vector(1f)).With("same", Tensor.Vector(7f));
        var d = Diff.Parameters(a, b);
        Assert.Equal(["b", "c", "w"], d.Select(x => x.Path));
        Assert.Equal((Shape.Of(2), (Shape?)null), (d[0].A, d[0].B));
        Assert.Equal(((Shape?)null, Shape.Of(1)), (d[1].A, d[1].B));
        // w: |2 − 2.5| = 0.5 (relative 0.5/2.5 = 0.2) and |3 − 2| = 1 (relative 1/3).
        Assert.Equal((1.0, 1.0 / 3, 2L), (d[2].MaxAbs, d[2].MaxRel, d[2].Count));
        Assert.Equal("w: max abs 1, max rel 0.333333, 2 of 3 elements differ", d[2].ToString());
    }

    [Fact]
    public void Checkpoints_of_one_run_at_two_steps_differ_in_every_trained_parameter_and_one_equals_itself()
    {
        var dir = TinyRun.Train(Path.Combine(root, "run"), TinyRun.Spec(4, 2));
        var (at2, at4) = (CheckpointDirectory.OfRun(dir).PathOf(2), CheckpointDirectory.OfRun(dir).PathOf(4));
        var same = Diff.Checkpoints(at4, at4);
        Assert.True(same.Same);
        var diff = Diff.Checkpoints(at2, at4);
        Assert.Equal((2L, 4L), (diff.StepA, diff.StepB));
        var p2 = Checkpoint.Read<float>(at2).State.Params;
        Assert.Equal(p2.Paths.Count, diff.Paths);
        // AdamW moves every parameter that gets a gradient, and every parameter of this GPT gets one.
        Assert.Equal(p2.Paths, diff.Differences.Select(x => x.Path));
        Assert.All(diff.Differences, x => Assert.True(x.MaxAbs > 0 && x.Count > 0));
    }
}
