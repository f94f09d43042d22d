using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Autodiff;

public class BackwardTests
{
    [Fact]
    public void Leaves_keep_their_cotangents_and_op_outputs_are_dropped_after_use()
    {
        // L = Σ tanh(x)·tanh(x): the tanh output is used twice, so its cotangent is complete only when the walk
        // reaches Tanh; dL/dx = 2·tanh(x)·(1 − tanh²(x)).
        var x = Tensor.Vector(0.5, -1.0);
        var net = from xv in Net.Variable(x)
                  from t in Tanh.Apply(xv)
                  from sq in Multiply.Apply(t, t)
                  from s in Sum.Apply(sq)
                  select (xv, t, sq, s);
        var (v, state) = net.Run(NetState<double>.Start(Params<double>.Empty, recording: true));
        var ct = Grad.Backward(state.Tape, state.NextSlot, v.s.Id, Tensor.Scalar(1.0));
        Assert.Null(ct[v.t.Id]);
        Assert.Null(ct[v.sq.Id]);
        Assert.Null(ct[v.s.Id]);
        var expected = x.Span.ToArray().Select(a => 2 * Math.Tanh(a) * (1 - Math.Tanh(a) * Math.Tanh(a))).ToArray();
        Assert.True(ct[v.xv.Id]!.AllClose(Tensor.Vector(expected), rtol: 1e-14, atol: 0));
    }

    // An op over `inputs` whose pullback sends (i + 1)·dy to input i, so each input's cotangent says which position reached it.
    private static Net<double, Var<double>> Numbered(params Var<double>[] inputs) =>
        Net.Record<double>("Numbered", inputs, inputs[0].Value, dy => [.. inputs.Select((_, i) => Scale.Forward(dy, i + 1.0))]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void A_tape_node_lists_its_input_slots_in_order_and_the_walk_routes_each_cotangent_to_its_slot(int count)
    {
        var x = Tensor.Vector(1.0, 2.0);
        var net = Enumerable.Range(0, count).Aggregate(Net.Pure<double, Var<double>[]>([]), (acc, _) =>
                from vs in acc
                from v in Net.Variable(x)
                select (Var<double>[])[.. vs, v])
            .SelectMany(vs => Numbered([.. vs.Reverse()]), (vs, y) => (Inputs: vs.Reverse().ToArray(), Y: y));
        var (r, state) = net.Run(NetState<double>.Start(Params<double>.Empty, recording: true));
        Assert.Equal(r.Inputs.Select(v => v.Id), state.Tape!.Inputs);
        var ct = Grad.Backward(state.Tape, state.NextSlot, r.Y.Id, Tensor.Vector(1.0, 1.0));
        for (var i = 0; i < count; i++)
            Assert.Equal(Tensor.Vector(i + 1.0, i + 1.0), ct[r.Inputs[i].Id]);
    }

    [Fact]
    public void An_input_used_twice_by_one_op_collects_both_cotangents()
    {
        var net = from a in Net.Variable(Tensor.Vector(3.0))
                  from b in Net.Variable(Tensor.Vector(4.0))
                  from y in Numbered(a, b, a)
                  select (a, b, y);
        var (r, state) = net.Run(NetState<double>.Start(Params<double>.Empty, recording: true));
        Assert.Equal([r.a.Id, r.b.Id, r.a.Id], state.Tape!.Inputs.ToArray());
        var ct = Grad.Backward(state.Tape, state.NextSlot, r.y.Id, Tensor.Vector(1.0));
        Assert.Equal(Tensor.Vector(1.0 + 3.0), ct[r.a.Id]);
        Assert.Equal(Tensor.Vector(2.0), ct[r.b.Id]);
    }
}
