using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Models;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Layers;

public class LayerTests
{
    private static readonly Tensor<double> X = Tensor.Matrix([1.0, 2, 3], [-1.0, 0.5, 2]);

    [Fact]
    public void Dense_computes_x_times_w_plus_b()
    {
        var p = Params<double>.Empty
            .With("fc/w", Tensor.Matrix([1.0, 0], [0.0, 1], [1.0, 1]))
            .With("fc/b", Tensor.Vector(0.5, -0.5));
        var y = Net.Apply(Dense.Of<double>("fc", 2).On(X), p).Value;
        // row 0: [1+3, 2+3] + b = [4.5, 4.5]; row 1: [-1+2, 0.5+2] + b = [1.5, 2]
        Assert.Equal(Tensor.Matrix([4.5, 4.5], [1.5, 2.0]), y);
    }

    [Fact]
    public void Init_creates_parameters_by_path_with_their_shapes()
    {
        var model = Dense.Of<double>("fc1", 4).Then(Relu.Apply).Then(Dense.Of<double>("fc2", 2));
        var p = Net.Init(model.On(X), Key.FromSeed(1));
        Assert.Equal(["fc1/b", "fc1/w", "fc2/b", "fc2/w"], p.Paths);
        Assert.Equal(Shape.Of(3, 4), p["fc1/w"].Shape);
        Assert.Equal(Shape.Of(4, 2), p["fc2/w"].Shape);
        Assert.Equal(3 * 4 + 4 + 4 * 2 + 2, p.Count);
    }

    [Fact]
    public void Adding_a_layer_does_not_change_another_layers_initial_values()
    {
        var small = Net.Init(Dense.Of<double>("fc1", 4).On(X), Key.FromSeed(9));
        var larger = Net.Init(Dense.Of<double>("fc0", 3).Then(Dense.Of<double>("fc1", 4)).On(X), Key.FromSeed(9));
        Assert.True(small["fc1/b"].BitEquals(larger["fc1/b"]));
        Assert.NotEqual(small["fc1/w"].Shape, larger["fc0/w"].Shape);
    }

    [Fact]
    public void Shape_error_at_apply_names_the_layer_path()
    {
        var p = Net.Init(Layer.Scope("blocks", Dense.Of<double>("wq", 2)).On(X), Key.FromSeed(1));
        var wide = Tensor.Zeros<double>([2, 5]);
        var ex = Assert.Throws<ArgumentException>(() => Net.Apply(Layer.Scope("blocks", Dense.Of<double>("wq", 2)).On(wide), p));
        Assert.Contains("blocks/wq/w", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
        Assert.Contains("[5, 2]", ex.Message);
    }

    [Fact]
    public void Residual_gradient_adds_the_identity_path()
    {
        // y = x + x·w, L = Σy  ⇒  dL/dx = 1 + Σ_j w[i, j] for each column i of x.
        var w = Tensor.Matrix([1.0, 2], [3.0, 4]);
        var p = Params<double>.Empty.With("w", w);
        var x = Tensor.Matrix([0.3, -0.7]);
        var net = from xv in Net.Variable(x)
                  from y in Layer.Residual<double>(v => from wv in Net.Param<double>("w") from o in MatMul.Apply(v, wv) select o)(xv)
                  from s in Sum.Apply(y)
                  select (xv, s);
        var (value, state) = net.Run(NetState<double>.Start(p, recording: true));
        var ct = Grad.Backward(state.Tape, state.NextSlot, value.s.Id, Tensor.Ones<double>(value.s.Shape));
        Assert.Equal(Tensor.Matrix([1.0 + 1 + 2, 1.0 + 3 + 4]), ct[value.xv.Id]);
    }

    [Fact]
    public void Constants_record_nothing_and_get_no_cotangent()
    {
        var p = Params<double>.Empty.With("w", Tensor.Matrix([1.0, 2], [3.0, 4]));
        var net = from c in Net.Const(Tensor.Matrix([0.3, -0.7]))
                  from c2 in Tanh.Apply(c)                 // constant in, constant out: not recorded
                  from w in Net.Param<double>("w")
                  from y in MatMul.Apply(c2, w)
                  from s in Sum.Apply(y)
                  select (c, c2, s);
        var (v, state) = net.Run(NetState<double>.Start(p, recording: true));
        Assert.False(v.c2.NeedsGrad);
        Assert.Equal(["Sum", "MatMul"], Ops(state.Tape));
        var ct = Grad.Backward(state.Tape, state.NextSlot, v.s.Id, Tensor.Ones<double>(v.s.Shape));
        Assert.Null(ct[v.c.Id]);
        Assert.Null(ct[v.c2.Id]);
    }

    private static List<string> Ops(Tape<double>? tape)
    {
        var ops = new List<string>();
        for (var t = tape; t is not null; t = t.Previous) ops.Add(t.Op);
        return ops;
    }

    [Fact]
    public void Repeat_gives_each_block_its_own_paths()
    {
        var p = Net.Init(Layer.Scope("blocks", Layer.Repeat(3, _ => Dense.Of<double>("fc", 3))).On(X), Key.FromSeed(2));
        Assert.Equal(["blocks/0/fc/b", "blocks/0/fc/w", "blocks/1/fc/b", "blocks/1/fc/w", "blocks/2/fc/b", "blocks/2/fc/w"], p.Paths);
        Assert.False(p["blocks/0/fc/w"].BitEquals(p["blocks/1/fc/w"]));
    }

    [Fact]
    public void FanOut_applies_every_branch_and_Parallel_merges()
    {
        var p = Params<double>.Empty;
        var y = Net.Apply(Layer.Parallel<double>(vs => Add.Apply(vs[0], vs[1]), Relu.Apply, Tanh.Apply).On(X), p).Value;
        var expected = Add.Forward(Relu.Forward(X), Tanh.Forward(X));
        Assert.Equal(expected, y);
    }

    [Fact]
    public void Pipe_operator_and_named_twin_agree()
    {
        var viaOperator = X | Relu.Forward | Tanh.Forward;
        var viaName = X.Pipe(Relu.Forward).Pipe(Tanh.Forward);
        Assert.Equal(viaName, viaOperator);
        var layer = Dense.Of<double>("a", 2) | Relu.Apply;
        var p = Net.Init(layer.On(X), Key.FromSeed(3));
        Assert.Equal(Net.Apply(Dense.Of<double>("a", 2).Then(Relu.Apply).On(X), p), Net.Apply(layer.On(X), p));
    }

    [Fact]
    public void Gpt_of_the_W3_shape_has_818176_parameters()
    {
        // WORKLOADS.md: wte 8,320 + wpe 8,192 + 4 × 198,272 + final LN 256 + head 8,320.
        var cfg = new GptConfig(Vocab: 65, Context: 64, Channels: 128, Layers: 4, Heads: 4, Hidden: 512);
        var p = Net.Init(Gpt.Logits<float>(cfg, Tensor.Zeros<int>([1, 4])), Key.FromSeed(3));
        Assert.Equal(818_176, p.Count);
    }

    [Fact]
    public void Gpt_logits_have_shape_batch_tokens_vocab_and_are_causal()
    {
        var cfg = new GptConfig(Vocab: 7, Context: 6, Channels: 8, Layers: 2, Heads: 2);
        var a = Tensor.From<int>([1, 5], [1, 2, 3, 4, 5]);
        var b = Tensor.From<int>([1, 5], [1, 2, 3, 6, 0]);
        var p = Net.Init(Gpt.Logits<double>(cfg, a), Key.FromSeed(4));
        var (ya, yb) = (Net.Apply(Gpt.Logits<double>(cfg, a), p).Value, Net.Apply(Gpt.Logits<double>(cfg, b), p).Value);
        Assert.Equal(Shape.Of(1, 5, 7), ya.Shape);
        // Changing tokens 3 and 4 must not change the logits at positions 0..2.
        for (var t = 0; t < 3; t++)
            for (var v = 0; v < 7; v++)
                Assert.Equal(ya[0, t, v], yb[0, t, v]);
        Assert.NotEqual(ya[0, 4, 0], yb[0, 4, 0]);
    }

    [Fact]
    public void Tied_gpt_has_no_head_matrix()
    {
        var cfg = new GptConfig(Vocab: 7, Context: 6, Channels: 8, Layers: 1, Heads: 2, TieWeights: true);
        var p = Net.Init(Gpt.Logits<double>(cfg, Tensor.Zeros<int>([1, 3])), Key.FromSeed(4));
        Assert.DoesNotContain("head/w", p.Paths);
    }

    [Fact]
    public void Post_norm_block_ends_in_a_layer_norm()
    {
        var x = Sample.Normal<double>(Key.FromSeed(5), [1, 4, 8]);
        var block = Block.Of<double>("b", heads: 2, norm: NormPlacement.Post);
        var p = Net.Init(block.On(x), Key.FromSeed(6));
        var y = Net.Apply(block.On(x), p).Value;
        for (var t = 0; t < 4; t++)
        {
            var row = Enumerable.Range(0, 8).Select(c => y[0, t, c]).ToArray();
            Assert.Equal(0, row.Average(), 1e-12);
        }
    }
}
