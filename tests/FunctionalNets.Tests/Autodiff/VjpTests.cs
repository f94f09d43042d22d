using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Autodiff;

public class VjpTests
{
    private static readonly Tensor<double> X = Tensor.Matrix([1.0, -2, 0.5], [0.25, 3, -1]);   // [2, 3]
    private static readonly Tensor<double> W = Tensor.Matrix([0.5, -1], [2.0, 0.25], [-0.75, 1.5]); // [3, 2]
    private static readonly Params<double> P = Params<double>.Empty.With("w", W);

    // L = Σ (x·w)², written element by element: the gradients below are derived from this by hand.
    private static double[,] Product(Tensor<double> x, Tensor<double> w)
    {
        var y = new double[x.Dim(0), w.Dim(1)];
        for (var i = 0; i < x.Dim(0); i++)
            for (var j = 0; j < w.Dim(1); j++)
                for (var k = 0; k < x.Dim(1); k++)
                    y[i, j] += x[i, k] * w[k, j];
        return y;
    }

    private static Net<double, Var<double>> SquaredProduct(Var<double> x) =>
        from w in Net.Param<double>("w")
        from y in MatMul.Apply(x, w)
        from sq in Square.Apply(y)
        from l in Sum.Apply(sq)
        select l;

    [Fact]
    public void ValueAndGrad_of_a_function_of_inputs_gives_input_and_parameter_gradients()
    {
        var (value, g) = Grad.ValueAndGrad(xs => SquaredProduct(xs[0]), [X], P);
        var y = Product(X, W);
        Assert.Equal(y.Cast<double>().Sum(v => v * v), value, 1e-12);
        // dL/dx[i,k] = Σ_j 2·y[i,j]·w[k,j];  dL/dw[k,j] = Σ_i 2·x[i,k]·y[i,j].
        var dx = Tensor.Build<double>(X.Shape, d =>
        {
            for (var i = 0; i < 2; i++)
                for (var k = 0; k < 3; k++)
                    d[i * 3 + k] = 2 * (y[i, 0] * W[k, 0] + y[i, 1] * W[k, 1]);
        });
        var dw = Tensor.Build<double>(W.Shape, d =>
        {
            for (var k = 0; k < 3; k++)
                for (var j = 0; j < 2; j++)
                    d[k * 2 + j] = 2 * (X[0, k] * y[0, j] + X[1, k] * y[1, j]);
        });
        Assert.Single(g.Variables);
        Assert.True(g.Variables[0].AllClose(dx, 1e-12, 1e-12), g.Variables[0].ToString());
        Assert.True(g.Params["w"].AllClose(dw, 1e-12, 1e-12), g.Params["w"].ToString());
    }

    [Fact]
    public void The_parameter_gradients_of_the_pullback_are_the_bits_of_ValueAndGrad()
    {
        var loss = Net.Const(X).Bind(SquaredProduct);
        var (l, grads) = Grad.ValueAndGrad(loss, P);
        var g = Grad.Vjp(loss, P).Gradient();
        Assert.Equal(l, Grad.Vjp(loss, P).Output.ToScalar());
        Assert.True(grads["w"].BitEquals(g.Params["w"]));
        Assert.Empty(g.Variables);
        Assert.Empty(g.Taps);
    }

    [Fact]
    public void Pullback_maps_any_output_cotangent_and_can_run_again()
    {
        // y = tanh(x): dx = v·(1 − tanh²x) for any v; the same pullback serves two cotangents.
        var x = Tensor.Vector(0.3, -1.2, 2.0);
        var vjp = Grad.Vjp(xs => Tanh.Apply(xs[0]), [x]);
        Assert.True(vjp.Output.AllClose(Tensor.Vector(Math.Tanh(0.3), Math.Tanh(-1.2), Math.Tanh(2.0)), 1e-15, 0));
        foreach (var v in new[] { Tensor.Vector(1.0, 0, 0), Tensor.Vector(-2.0, 0.5, 3) })
        {
            var dx = vjp.Pullback(v).Variables[0];
            for (var i = 0; i < 3; i++)
            {
                var t = Math.Tanh(x.Span[i]);
                Assert.Equal(v.Span[i] * (1 - t * t), dx.Span[i], 1e-15);
            }
        }
    }

    [Fact]
    public void A_tap_reports_the_cotangent_at_its_point_and_a_scope_prefixes_its_path()
    {
        // h = 3x, L = Σ (2h)²: dL/dh = 8h and dL/dx = 24h.
        var x = Tensor.Vector(1.0, -0.5);
        var net =
            from xv in Net.Variable(x)
            from h0 in Scale.Apply(xv, 3)
            from h in Net.Scope("block", Net.Tap("h", h0))
            from d in Scale.Apply(h, 2)
            from sq in Square.Apply(d)
            from l in Sum.Apply(sq)
            select l;
        var g = Grad.Vjp(net, Params<double>.Empty).Gradient();
        Assert.Equal(["block/h"], g.Taps.Keys);
        Assert.Equal(Tensor.Vector(24.0, -12), g.Tap("block/h"));
        Assert.Equal(Tensor.Vector(72.0, -36), g.Variables[0]);
        var missing = Assert.Throws<KeyNotFoundException>(() => g.Tap("h"));
        Assert.Contains("block/h", missing.Message);
    }

    [Fact]
    public void A_tap_on_a_value_of_constants_still_receives_its_cotangent()
    {
        // Only the tap needs the gradient: L = Σ w·c with c = 2·x from a constant x gives dL/dc = w.
        var net =
            from c0 in Net.Const(Tensor.Vector(1.0, 2))
            from c1 in Scale.Apply(c0, 2)
            from c in Net.Tap("c", c1)
            from w in Net.Param<double>("v")
            from y in Multiply.Apply(c, w)
            from l in Sum.Apply(y)
            select l;
        var p = Params<double>.Empty.With("v", Tensor.Vector(5.0, -7));
        var g = Grad.Vjp(net, p).Gradient();
        Assert.Equal(Tensor.Vector(5.0, -7), g.Tap("c"));
        Assert.Equal(Tensor.Vector(2.0, 4), g.Params["v"]);
    }

    [Fact]
    public void A_tap_that_no_cotangent_reaches_reports_zeros_and_variables_come_in_creation_order()
    {
        var net =
            from a in Net.Variable(Tensor.Vector(1.0, 2))
            from b in Net.Variable(Tensor.Vector(3.0))
            from unused in Net.Tap("unused", a)
            from l in Sum.Apply(b)
            select l;
        var g = Grad.Vjp(net, Params<double>.Empty).Gradient();
        Assert.Equal(Tensor.Zeros<double>([2]), g.Tap("unused"));
        Assert.Equal(Tensor.Zeros<double>([2]), g.Variables[0]);
        Assert.Equal(Tensor.Vector(1.0), g.Variables[1]);
    }

    [Fact]
    public void Taps_pass_through_without_recording()
    {
        var net = from x in Net.Const(Tensor.Vector(1.0)) from t in Net.Tap("t", x) from u in Net.Tap("t", t) select u;
        Assert.Equal(Tensor.Vector(1.0), Net.Apply(net, Params<double>.Empty).Value);
    }

    [Fact]
    public void A_path_tapped_twice_is_an_error_naming_it()
    {
        var net = from x in Net.Variable(Tensor.Vector(1.0)) from t in Net.Tap("t", x) from u in Net.Tap("t", t) select u;
        var ex = Assert.Throws<ArgumentException>(() => Grad.Vjp(net, Params<double>.Empty));
        Assert.Contains("'t'", ex.Message);
    }

    [Fact]
    public void A_cotangent_of_the_wrong_shape_and_the_gradient_of_a_vector_are_errors_naming_the_shapes()
    {
        var vjp = Grad.Vjp(xs => Tanh.Apply(xs[0]), [Tensor.Vector(1.0, 2)]);
        var shape = Assert.Throws<ArgumentException>(() => vjp.Pullback(Tensor.Vector(1.0)));
        Assert.Contains("[1]", shape.Message);
        Assert.Contains("[2]", shape.Message);
        var scalar = Assert.Throws<ArgumentException>(() => vjp.Gradient());
        Assert.Contains("[2]", scalar.Message);
    }
}
