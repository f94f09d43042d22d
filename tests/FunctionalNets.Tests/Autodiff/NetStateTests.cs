using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Autodiff;

public class NetStateTests
{
    private static readonly Params<double> P = Params<double>.Empty
        .With("w", Tensor.Vector(1.0, 2.0)).With("b", Tensor.Vector(3.0, 4.0)).With("unused", Tensor.Matrix([5.0]));

    // L = Σ (w·w + b): w is read twice, so its cotangents add up.
    private static Net<double, Var<double>> Loss() =>
        from w in Net.Param<double>("w")
        from w2 in Net.Param<double>("w")
        from b in Net.Param<double>("b", [2], Init.Zeros<double>())
        from ww in Multiply.Apply(w, w2)
        from y in Add.Apply(ww, b)
        from l in Sum.Apply(y)
        select l;

    [Fact]
    public void Parameters_take_the_slots_of_their_positions_and_values_follow()
    {
        var (w, s) = Net.Param<double>("w").Run(NetState<double>.Start(P, recording: true));
        Assert.Equal(2, w.Id); // b, unused, w in ordinal order
        Assert.Equal(3, s.NextSlot);
        var (c, _) = Net.Const(Tensor.Vector(1.0)).Run(s);
        Assert.Equal(3, c.Id);
    }

    [Fact]
    public void ValueAndGrad_sums_the_cotangents_of_a_parameter_read_twice_and_zeros_unread_ones()
    {
        var (loss, grads) = Grad.ValueAndGrad(Loss(), P);
        // L = 1 + 4 + 3 + 4 = 12; dL/dw = 2w, dL/db = 1, unused gets zeros of its shape.
        Assert.Equal(12.0, loss);
        Assert.Equal(P.Paths, grads.Paths);
        Assert.Equal(Tensor.Vector(2.0, 4.0), grads["w"]);
        Assert.Equal(Tensor.Vector(1.0, 1.0), grads["b"]);
        Assert.Equal(Tensor.Matrix([0.0]), grads["unused"]);
    }

    [Fact]
    public void Init_mode_creates_a_parameter_once_and_rereads_it()
    {
        var tied = from a in Net.Param<double>("w", [2], Init.Normal<double>(1))
                   from b in Net.Param<double>("w", [2], Init.Normal<double>(1))
                   select (a, b);
        var (value, s) = tied.Run(NetState<double>.Start(Params<double>.Empty, recording: false, initKey: Key.FromSeed(7)));
        Assert.Equal(["w"], s.Params.Paths);
        Assert.Equal(value.a.Value, value.b.Value);
    }

    [Fact]
    public void Init_mode_cannot_record()
    {
        var ex = Assert.Throws<ArgumentException>(() => NetState<double>.Start(P, recording: true, initKey: Key.FromSeed(1)));
        Assert.Equal("NetState.Start: init mode records no pullbacks; initialise with Net.Init, then take gradients", ex.Message);
    }

    [Fact]
    public void Reading_a_parameter_with_another_shape_names_the_path_and_both_shapes()
    {
        var net = from a in Net.Param<double>("w", [2], Init.Zeros<double>())
                  from b in Net.Param<double>("w", [3], Init.Zeros<double>())
                  select b;
        var ex = Assert.Throws<ArgumentException>(() => Net.Apply(net, P));
        Assert.Equal("w: expected [2], got [3] from the input", ex.Message);
    }

    [Fact]
    public void Reading_a_missing_parameter_lists_the_paths()
    {
        Assert.Equal("Params: no parameter at 'v' (have: b, unused, w)",
            Assert.Throws<KeyNotFoundException>(() => Net.Apply(Net.Param<double>("v"), P)).Message);
        Assert.Equal("v: no such parameter (have: b, unused, w)",
            Assert.Throws<KeyNotFoundException>(() => Net.Apply(Net.Param<double>("v", [1], Init.Zeros<double>()), P)).Message);
    }

    [Fact]
    public void A_run_s_settings_survive_every_step_of_the_state_and_change_one_at_a_time()
    {
        var (key, observer) = (Key.FromSeed(3), new Silent());
        var s = NetState<double>.Start(P, recording: true, rng: key, training: true, observer: observer);
        var stepped = s with { NextSlot = 9, Scope = "a/" };
        foreach (var t in new[] { s, stepped })
            Assert.Equal((true, (Key?)null, (Key?)key, true, (IOpObserver<double>?)observer), (t.Recording, t.InitKey, t.Rng, t.Training, t.Observer));
        var evaluating = stepped with { Training = false };
        Assert.Equal((true, (Key?)key, false, 9, "a/"), (evaluating.Recording, evaluating.Rng, evaluating.Training, evaluating.NextSlot, evaluating.Scope));
        Assert.True(stepped.Training); // the state it came from is unchanged
        Assert.Equal(NetState<double>.Start(P, recording: false), NetState<double>.Start(P, recording: false));
        Assert.NotEqual(NetState<double>.Start(P, recording: false), NetState<double>.Start(P, recording: true));
    }

    private sealed class Silent : IOpObserver<double>
    {
        public void Forward(ForwardOp<double> op) { }

        public void Backward(BackwardOp<double> op) { }
    }
}
