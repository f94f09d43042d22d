using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;
using static FunctionalNets.Tests.Optim.OptimTestKit;

namespace FunctionalNets.Tests.Optim;

public class PartitionTests
{
    // A three-layer tree: two groups by path, biases of rank 1 and weights of rank 2.
    private static readonly Params<double> Model = Tree(
        ("body/b", Tensor.Vector(0.5, -1.0)), ("body/w", Tensor.Matrix([2.0, -0.25], [0.75, 1.5])),
        ("head/b", Tensor.Vector(0.25)), ("head/w", Tensor.Matrix([1.0], [-2.0])));

    private static readonly Params<double>[] ModelGrads =
    [
        Tree(("body/b", Tensor.Vector(0.1, -0.2)), ("body/w", Tensor.Matrix([0.3, 0.0], [-0.4, 2.5])),
            ("head/b", Tensor.Vector(0.7)), ("head/w", Tensor.Matrix([-0.6], [0.2]))),
        Tree(("body/b", Tensor.Vector(0.4, 0.1)), ("body/w", Tensor.Matrix([-0.05, 0.2], [0.6, -1.5])),
            ("head/b", Tensor.Vector(-0.1)), ("head/w", Tensor.Matrix([0.3], [0.9]))),
    ];

    private static readonly Func<string, Tensor<double>, bool> Head = ParamMask.Under<double>("head");

    [Fact]
    public void Masked_transforms_the_selected_parameters_and_passes_the_others_through()
    {
        // Masked(−0.1·g, head): head's updates are −0.1·g, body's updates are g unchanged (Optax's masked).
        var t = Optimizer.Masked(Optimizer.Sgd<double>(0.1), Head);
        var (u, s) = t.Update(ModelGrads[0], t.Init(Model), Model);
        Close([0.1, -0.2, 0.3, 0.0, -0.4, 2.5, -0.07, 0.06, -0.02], u);
        Assert.Equal(1, s.Step);
    }

    [Fact]
    public void Masked_with_every_parameter_is_the_inner_transform_and_with_none_the_identity()
    {
        var (adam, all) = (Optimizer.Adam<double>(0.01), Optimizer.Masked(Optimizer.Adam<double>(0.01), ParamMask.All));
        var (pa, sa, ua) = Run(adam, Model, ModelGrads);
        var (pm, sm, um) = Run(all, Model, ModelGrads);
        Assert.True(pa.Digest() == pm.Digest() && sa.Equals(sm) && ua.SequenceEqual(um));
        var none = Optimizer.Masked(Optimizer.Adam<double>(0.01), ParamMask.Not<double>(ParamMask.All));
        var (_, _, un) = Run(none, Model, ModelGrads);
        Assert.Equal(ModelGrads, un);
    }

    [Fact]
    public void Masked_keeps_the_inner_state_over_the_selected_paths_only()
    {
        var s = Optimizer.Masked(Optimizer.ScaleByAdam<double>(), Head).Init(Model);
        Assert.Equal(["head/b", "head/w"], s["mu"].Paths);
    }

    [Fact]
    public void Freeze_last_in_a_chain_keeps_frozen_parameters_bit_for_bit_under_AdamW()
    {
        var t = Optimizer.Chain(Optimizer.AdamW<double>(0.1, weightDecay: 0.5), Optimizer.Freeze(Head));
        var (p, _, _) = Run(t, Model, ModelGrads);
        Assert.True(p["head/w"].BitEquals(Model["head/w"]) && p["head/b"].BitEquals(Model["head/b"]));
        Assert.False(p["body/w"].BitEquals(Model["body/w"]));
        // Unfrozen parameters move exactly as under AdamW alone.
        var (reference, _, _) = Run(Optimizer.AdamW<double>(0.1, weightDecay: 0.5), Model, ModelGrads);
        Assert.True(p["body/w"].BitEquals(reference["body/w"]) && p["body/b"].BitEquals(reference["body/b"]));
    }

    [Fact]
    public void MultiTransform_gives_each_group_its_learning_rate()
    {
        // SGD at 0.1 for body, 0.01 for head: u = −lr_group·g, worked out by hand.
        var t = Optimizer.MultiTransform(new Dictionary<string, Transform<double>>
        {
            ["body"] = Optimizer.Sgd<double>(0.1),
            ["head"] = Optimizer.Sgd<double>(0.01),
        }, ParamLabel.ByPrefix<double>("body", ("head", "head")));
        var (u, s) = t.Update(ModelGrads[0], t.Init(Model), Model);
        Close([-0.01, 0.02, -0.03, 0.0, 0.04, -0.25, -0.007, 0.006, -0.002], u);
        Assert.Equal(1, s.Step);
    }

    [Fact]
    public void MultiTransform_keeps_each_groups_trees_under_its_label_and_matches_the_groups_run_alone()
    {
        var t = Optimizer.MultiTransform(new Dictionary<string, Transform<double>>
        {
            ["decayed"] = Optimizer.AdamW<double>(0.05, weightDecay: 0.1),
            ["plain"] = Optimizer.Adam<double>(0.05),
        }, (_, x) => x.Rank >= 2 ? "decayed" : "plain");
        var (p, s, _) = Run(t, Model, ModelGrads);
        Assert.Equal(["decayed/0/mu", "decayed/0/nu", "plain/0/mu", "plain/0/nu"], s.Slots.Keys);
        Assert.Equal(["body/w", "head/w"], s["decayed/0/mu"].Paths);
        Assert.Equal(2, s.Step);
        // Weight decay by rank: the matrices equal AdamW alone on the matrices, the vectors Adam alone on the vectors.
        var matrices = Tree(("body/w", Model["body/w"]), ("head/w", Model["head/w"]));
        var vectors = Tree(("body/b", Model["body/b"]), ("head/b", Model["head/b"]));
        var (pw, _, _) = Run(Optimizer.AdamW<double>(0.05, weightDecay: 0.1), matrices,
            ModelGrads.Select(g => Tree(("body/w", g["body/w"]), ("head/w", g["head/w"]))));
        var (pb, _, _) = Run(Optimizer.Adam<double>(0.05), vectors,
            ModelGrads.Select(g => Tree(("body/b", g["body/b"]), ("head/b", g["head/b"]))));
        foreach (var path in pw.Paths) Assert.True(p[path].BitEquals(pw[path]), path);
        foreach (var path in pb.Paths) Assert.True(p[path].BitEquals(pb[path]), path);
    }

    [Fact]
    public void MultiTransform_with_a_label_that_has_no_transformation_names_the_parameter_and_the_labels()
    {
        var t = Optimizer.MultiTransform(new Dictionary<string, Transform<double>> { ["body"] = Optimizer.Sgd<double>(0.1) },
            ParamLabel.ByPrefix<double>("body", ("head", "head")));
        var ex = Assert.Throws<ArgumentException>(() => t.Init(Model));
        Assert.Contains("head/b", ex.Message);
        Assert.Contains("'head'", ex.Message);
        Assert.Contains("body", ex.Message);
        Assert.Throws<ArgumentException>(() => Optimizer.MultiTransform(new Dictionary<string, Transform<double>> { ["a/b"] = Optimizer.Sgd<double>(0.1) },
            (_, _) => "a/b"));
    }

    [Fact]
    public void Under_selects_whole_path_segments()
    {
        var under = ParamMask.Under<double>("blocks/0");
        var x = Tensor.Zeros<double>([1]);
        Assert.True(under("blocks/0", x));
        Assert.True(under("blocks/0/attn/wq/w", x));
        Assert.False(under("blocks/01/attn/wq/w", x));
        Assert.False(under("blocks", x));
    }

    [Fact]
    public void Training_with_a_frozen_layer_leaves_it_unchanged_and_still_lowers_the_loss()
    {
        var xs = Tensor.Matrix([0.0, 0], [0.0, 1], [1.0, 0], [1.0, 1]);
        var ys = Tensor.Vector(0, 1, 1, 0);
        var mlp = Dense.Of<double>("fc1", 8).Then(Tanh.Apply).Then(Dense.Of<double>("fc2", 2));
        var loss = from logits in mlp.On(xs) from l in CrossEntropy.Apply(logits, ys) select l;
        var p0 = Net.Init(loss, Key.FromSeed(42));
        var lr = Schedules.Constant(0.05);
        var trainer = new Trainer<double, int>(_ => loss, Optimizer.Chain(Optimizer.Adam<double>(lr), Optimizer.Freeze(ParamMask.Under<double>("fc1"))));
        var reports = trainer.Scan(TrainState<double>.Start(p0, trainer.Optimizer, Key.FromSeed(1)), Enumerable.Range(0, 100)).ToList();
        var last = reports[^1].State.Params;
        Assert.True(last["fc1/w"].BitEquals(p0["fc1/w"]) && last["fc1/b"].BitEquals(p0["fc1/b"]));
        Assert.False(last["fc2/w"].BitEquals(p0["fc2/w"]));
        Assert.True(reports[^1].Report.Loss < reports[0].Report.Loss);
    }
}
