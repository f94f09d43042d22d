using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

public static partial class OpCatalog
{
    private static OpSpec[] Arithmetic_Add =>
    [
        OpSpec.Binary(nameof(Add), BroadcastGens.Pair(), Add.Forward, Add.Vjp, Add.Forward, Add.Apply, Add.Apply),
    ];
}

public class AddTests
{
    // Three integer-valued tensors whose shapes all stretch from one shape, so every sum is exact.
    private static readonly Gen<(Tensor<double>, Tensor<double>, Tensor<double>)> IntegerTriple =
        BroadcastGens.Full.SelectMany(full => Gen.Select(BroadcastGens.StretchableTo(full), BroadcastGens.StretchableTo(full), BroadcastGens.StretchableTo(full)))
            .SelectMany((a, b, c) => Gen.Select(BroadcastGens.Integers(a), BroadcastGens.Integers(b), BroadcastGens.Integers(c)));

    [Fact]
    public void Add_bias_to_rows_hand_checked()
    {
        var y = Add.Forward(Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]), Tensor.Vector(10.0, 20, 30));
        Assert.Equal(Tensor.Matrix([11.0, 22, 33], [14.0, 25, 36]), y);
    }

    [Fact]
    public void Add_column_plus_row_gives_the_outer_sum()
    {
        // [2,1] + [3] → [2,3]: y[i,j] = a[i] + b[j].
        var y = Add.Forward(Tensor.Matrix([1.0], [2.0]), Tensor.Vector(10.0, 20, 30));
        Assert.Equal(Tensor.Matrix([11.0, 21, 31], [12.0, 22, 32]), y);
    }

    [Fact]
    public void Add_vjp_of_bias_gives_column_sums_hand_checked()
    {
        var (a, b) = (Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([3]));
        var dy = Tensor.Matrix([1.0, 2, 3], [4.0, 5, 6]);
        var (da, db) = Add.Vjp(a, b, dy);
        Assert.Equal(dy, da);
        Assert.Equal(Tensor.Vector(5.0, 7, 9), db);
    }

    [Fact]
    public void Add_vjp_of_bias_gives_column_sums() =>
        Gen.Select(Gen.Int[1, 6], Gen.Int[1, 17]).SelectMany((n, c) => Gens.Tensor(Shape.Of(n, c))).Sample(dy =>
        {
            var (n, c) = (dy.Dim(0), dy.Dim(1));
            var (_, db) = Add.Vjp(Tensor.Zeros<double>([n, c]), Tensor.Zeros<double>([c]), dy);
            var sums = Tensor.BuildZeroed<double>([c], s =>
            {
                for (var i = 0; i < n; i++)
                    for (var j = 0; j < c; j++) s[j] += dy[i, j];
            });
            Assert.True(db.BitEquals(sums));
        }, iter: OpLaws.Iterations);

    [Fact]
    public void Add_is_commutative() =>
        BroadcastGens.Pair().Sample((a, b) => Add.Forward(a, b).BitEquals(Add.Forward(b, a)), iter: OpLaws.Iterations);

    [Fact]
    public void Add_is_associative_on_integers() =>
        IntegerTriple.Sample((a, b, c) =>
            Add.Forward(Add.Forward(a, b), c).BitEquals(Add.Forward(a, Add.Forward(b, c))), iter: OpLaws.Iterations);

    [Fact]
    public void Add_mismatch_names_op_and_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Add.Forward(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([4])));
        Assert.Equal("Add: cannot broadcast [2, 3] with [4]", ex.Message);
    }

    [Fact]
    public void Add_vjp_with_wrong_cotangent_shape_names_op_and_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Add.Vjp(Tensor.Zeros<double>([2, 3]), Tensor.Zeros<double>([3]), Tensor.Zeros<double>([3])));
        Assert.Contains("Add", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Add_apply_sums_the_bias_gradient_over_rows_and_adds_fan_out()
    {
        // loss = Σ (w + b) + Σ w: dw = 1 + 1 (w is used twice), db = 2 per column (two rows).
        var ps = Params<double>.Empty.With("w", Tensor.Ones<double>([2, 3])).With("b", Tensor.Zeros<double>([3]));
        Initializer<double> none = (_, s) => Tensor.Zeros<double>(s);
        var loss =
            from w in Net.Param("w", [2, 3], none)
            from b in Net.Param("b", [3], none)
            from y in Add.Apply(w, b)
            from s1 in Sum.Apply(y)
            from s2 in Sum.Apply(w)
            from l in Add.Apply(s1, s2)
            select l;
        var (value, grads) = Grad.ValueAndGrad(loss, ps);
        Assert.Equal(12.0, value);
        Assert.Equal(Tensor.Full<double>([2, 3], 2), grads["w"]);
        Assert.Equal(Tensor.Full<double>([3], 2), grads["b"]);
    }
}
