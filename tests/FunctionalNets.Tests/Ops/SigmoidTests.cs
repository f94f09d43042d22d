using CsCheck;
using FunctionalNets.Ops;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Activations_Sigmoid =>
    [
        OpSpec.Unary(nameof(Sigmoid), Gens.Flat(-10, 10), Sigmoid.Forward, (x, dy) => Sigmoid.Vjp(Sigmoid.Forward(x), dy), Sigmoid.Forward, Sigmoid.Apply, Sigmoid.Apply),
    ];
}

public class SigmoidTests
{
    [Fact]
    public void Sigmoid_hand_checked_values()
    {
        // σ(ln 3) = 1/(1 + 1/3) = 3/4 and σ(−ln 3) = (1/3)/(1 + 1/3) = 1/4.
        var y = Sigmoid.Forward(Tensor.Vector(0.0, Math.Log(3), -Math.Log(3), 1000, -1000));
        Assert.Equal(0.5, y.Span[0]);
        Assert.Equal(0.75, y.Span[1], 1e-15);
        Assert.Equal(0.25, y.Span[2], 1e-15);
        Assert.Equal(1.0, y.Span[3]);
        Assert.Equal(0.0, y.Span[4]);
    }

    [Fact]
    public void Sigmoid_keeps_relative_accuracy_in_the_lower_tail()
    {
        // σ(−700) = e^{−700}/(1 + e^{−700}) = e^{−700} to double precision (≈ 1e-304, far from underflow).
        var y = Sigmoid.Forward(Tensor.Vector(-700.0)).Span[0];
        Assert.Equal(1.0, y / Math.Exp(-700), 1e-14);
    }

    [Fact]
    public void Sigmoid_vjp_hand_checked_from_the_output()
    {
        // y(1 − y) at y = 1/2 is 1/4, at y = 3/4 is 3/16.
        var dx = Sigmoid.Vjp(Tensor.Vector(0.5, 0.75), Tensor.Vector(2.0, 16));
        Assert.Equal(Tensor.Vector(0.5, 3), dx);
    }

    [Fact]
    public void Sigmoid_of_minus_x_is_one_minus_sigmoid_of_x() =>
        Gens.Flat(-40, 40).Sample(x =>
        {
            var (y, yNeg) = (Sigmoid.Forward(x), Sigmoid.Forward(Negated(x)));
            for (var i = 0; i < x.Size; i++)
                if (Math.Abs(yNeg.Span[i] - (1 - y.Span[i])) > 2e-16) return false;
            return true;
        });

    [Fact]
    public void Sigmoid_and_tanh_are_finite_with_finite_gradients_at_plus_minus_1000()
    {
        var xd = Tensor.Vector(-1000.0, 1000, double.NegativeInfinity, double.PositiveInfinity);
        var xf = xd.ToFloat();
        Assert.Equal(Tensor.Vector(0.0, 1, 0, 1), Sigmoid.Forward(xd));
        Assert.Equal(Tensor.Vector(0f, 1, 0, 1), Sigmoid.Forward(xf));
        Assert.Equal(Tensor.Vector(-1.0, 1, -1, 1), Tanh.Forward(xd));
        Assert.Equal(Tensor.Vector(-1f, 1, -1, 1), Tanh.Forward(xf));
        Assert.Equal(Tensor.Zeros<double>([4]), Sigmoid.Vjp(Sigmoid.Forward(xd), Tensor.Ones<double>([4])));
        Assert.Equal(Tensor.Zeros<float>([4]), Tanh.Vjp(Tanh.Forward(xf), Tensor.Ones<float>([4])));
    }

    [Fact]
    public void Sigmoid_on_the_tape_pulls_back_its_vjp()
    {
        var x = Tensor.Vector(-1.0, 0, 2);
        var dy = Tensor.Vector(1.0, 2, 3);
        var (y, dxs) = ShapeFamily.OnTape(v => Sigmoid.Apply(v[0]), dy, x);
        Assert.Equal(Sigmoid.Forward(x), y);
        Assert.Equal(Sigmoid.Vjp(y, dy), dxs[0]);
    }

    [Fact]
    public void Sigmoid_vjp_shape_mismatch_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Sigmoid.Vjp(Tensor.Zeros<double>([2, 2]), Tensor.Zeros<double>([4])));
        Assert.Contains("Sigmoid", ex.Message);
        Assert.Contains("[2, 2]", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }

    private static Tensor<double> Negated(Tensor<double> x) => Tensor.Build<double>(x.Shape, y =>
    {
        for (var i = 0; i < y.Length; i++) y[i] = -x.Span[i];
    });

    [Fact]
    public void Double_sigmoid_repeats_its_bits_whatever_the_buffers_alignment_with_far_out_values_among_the_rest()
    {
        // Entries beyond −708 send TensorPrimitives' double exponential down another path for their whole vector, whose
        // results for the other lanes depended on the buffer's alignment. Fresh buffers land at different alignments.
        double[] values = [.. Enumerable.Range(0, 61).Select(i => i % 7 == 3 ? -709.0 - 7 * i : Math.Sin(i) * 9)];
        var first = Sigmoid.Forward(Tensor.Vector<double>(values)).ToArray();
        var keep = new List<byte[]>();
        for (var round = 1; round <= 64; round++)
        {
            keep.Add(new byte[round * 8 % 64 + 1]); // shifts where the next arrays start
            var y = Sigmoid.Forward(Tensor.Vector<double>(values)).ToArray();
            for (var i = 0; i < values.Length; i++)
                Assert.True(BitConverter.DoubleToInt64Bits(first[i]) == BitConverter.DoubleToInt64Bits(y[i]),
                    $"σ({values[i]}) in round {round}: {y[i]:R}, first {first[i]:R}");
        }
    }
}
