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
}
