using FunctionalNets.Autodiff;
using FunctionalNets.Layers;
using FunctionalNets.Ops;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.Training;

public class NonFiniteOriginTests
{
    private static TrainState<T> Start<T>(Trainer<T, int> trainer, Params<T> p)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        TrainState<T>.Start(p, trainer.Optimizer, Key.FromSeed(1));

    [Fact]
    public void A_nan_in_the_input_data_is_traced_to_the_first_layer_that_reads_it()
    {
        // Regression y ≈ x·W + b on a batch whose second row holds a NaN.
        var x = Tensor.Matrix([1.0, 2.0], [double.NaN, 0.5]);
        var y = Tensor.Matrix([1.0], [0.0]);
        var model = Layer.Scope("mlp", Dense.Of<double>("fc", 1));
        Net<double, Var<double>> Loss(int _) => from p in model.On(x) from t in Net.Const(y) from l in MeanSquaredError.Apply(p, t) select l;
        var trainer = new Trainer<double, int>(Loss, Optimizer.Sgd<double>(0.1));
        var ex = Assert.Throws<NonFiniteException>(() => trainer.Step(Start(trainer, Net.Init(Loss(0), Key.FromSeed(2))), 0));
        Assert.Equal(new NonFiniteOrigin(OpPass.Forward, "Affine", "mlp/fc", "NaN", ex.Origin!.Sources), ex.Origin);
        // Affine reads x (with the NaN), W and b (finite).
        Assert.StartsWith("its inputs: NaN; finite, in [", ex.Origin.Sources);
        Assert.StartsWith("step 0: mlp/fc: Affine produced NaN in the forward pass (its inputs: NaN; finite", ex.Message);
        Assert.Contains("the loss (NaN) is not finite", ex.Message);
    }

    // mean((w·2 − 0)²), the model and the loss each in a scope of their own.
    private static Net<float, Var<float>> SquaredScaledWeight(int _) =>
        from w in Net.Param<float>("w")
        from c in Net.Const(Tensor.Vector(2f))
        from p in Net.Scope("model", Multiply.Apply(w, c))
        from t in Net.Const(Tensor.Zeros<float>(w.Shape))
        from l in Net.Scope("loss", MeanSquaredError.Apply(p, t))
        select l;

    [Fact]
    public void A_learning_rate_that_overflows_is_traced_to_the_op_that_overflowed()
    {
        // L(w) = mean((w·x − 0)²) with x = 2: L = 4w², dL/dw = 8w = 8 at w = 1. In float, SGD at lr = 10³⁷ moves w to
        // 1 − 8·10³⁷ (finite); the next forward gives w·x = −1.6·10³⁸ (finite) and its square overflows to +∞.
        var trainer = new Trainer<float, int>(SquaredScaledWeight, Optimizer.Sgd<float>(1e37));
        var (s1, report) = trainer.Step(Start(trainer, Params<float>.Empty.With("w", Tensor.Vector(1f))), 0);
        Assert.Equal(4.0, report.Loss);
        Assert.Equal(1f - 8e37f, s1.Params["w"].ToScalar());
        var ex = Assert.Throws<NonFiniteException>(() => trainer.Step(s1, 1));
        Assert.Equal(1, ex.Step);
        Assert.Equal(OpPass.Forward, ex.Origin!.Pass);
        Assert.Equal(("MeanSquaredError", "loss", "+∞"), (ex.Origin.Op, ex.Origin.Path, ex.Origin.Produced));
        Assert.StartsWith("step 1: loss: MeanSquaredError produced +∞ in the forward pass (its inputs: finite, in [-1.6E+38, -1.6E+38]; finite", ex.Message);
    }

    [Fact]
    public void A_step_in_reused_buffers_names_the_same_origin_and_keeps_the_state_it_failed_on()
    {
        // The overflow above, with every step's tensors lent and each state donated: the failed step must not give its
        // state up. w has 256 elements, so its buffer is one the lender deals in (1 KiB), and w = 1 − 8·10³⁷/256 after
        // the first step still overflows when squared.
        var (trainer, buffers) = (new Trainer<float, int>(SquaredScaledWeight, Optimizer.Sgd<float>(1e37)), new StepBuffers());
        Params<float> Weights(float w) => Params<float>.Empty.With("w", Tensor.Full<float>([256], w));
        var (s1, _) = trainer.Step(Start(trainer, Weights(1f)), 0, buffers, donate: true);
        var kept = s1.Params.Digest();
        var ex = Assert.Throws<NonFiniteException>(() => trainer.Step(s1, 1, buffers, donate: true));
        Assert.Equal(("MeanSquaredError", "loss", "+∞"), (ex.Origin!.Op, ex.Origin.Path, ex.Origin.Produced));
        trainer.Step(Start(trainer, Weights(3f)), 0, buffers, donate: true);
        Assert.Equal(kept, s1.Params.Digest());
    }

    [Fact]
    public void A_log_of_zero_is_named_and_a_causal_mask_that_the_softmax_absorbs_is_not()
    {
        // The mask writes −∞ above the diagonal and the softmax turns them into zeros: not a fault. The log of the
        // parameter's 0 is: −∞ reaches the loss.
        var p = Params<double>.Empty.With("head/p", Tensor.Vector(0.0, 1.0)).With("scores", Tensor.Matrix([1.0, 2.0], [3.0, 4.0]));
        Net<double, Var<double>> Loss(int _) =>
            from s in Net.Param<double>("scores")
            from m in Mask.Causal.Apply(s)
            from a in Softmax.Apply(m)
            from sa in Sum.Apply(a)
            from l in Net.Scope("head", from q in Net.Param<double>("p") from lq in Log.Apply(q) from sl in Sum.Apply(lq) select sl)
            from total in Add.Apply(sa, l)
            select total;
        var trainer = new Trainer<double, int>(Loss, Optimizer.Sgd<double>(0.1));
        var ex = Assert.Throws<NonFiniteException>(() => trainer.Step(Start(trainer, p), 0));
        Assert.Equal(new NonFiniteOrigin(OpPass.Forward, "Log", "head", "−∞", "its input was finite, in [0, 1]"), ex.Origin);
        Assert.StartsWith("step 0: head: Log produced −∞ in the forward pass (its input was finite, in [0, 1]); the loss", ex.Message);
    }

    [Fact]
    public void A_gradient_that_is_not_finite_is_traced_through_the_backward_pass()
    {
        // L = Σ√p at p = [0, 4] is finite, but dL/dp = 1/(2√p) is +∞ at 0: Sqrt's pullback produced it from dy = 1.
        var p = Params<double>.Empty.With("layer/p", Tensor.Vector(0.0, 4.0));
        Net<double, Var<double>> Loss(int _) =>
            Net.Scope("layer", from v in Net.Param<double>("p") from r in Sqrt.Apply(v) from l in Sum.Apply(r) select l);
        var trainer = new Trainer<double, int>(Loss, Optimizer.Sgd<double>(0.1));
        var ex = Assert.Throws<NonFiniteException>(() => trainer.Step(Start(trainer, p), 0));
        Assert.Equal(new NonFiniteOrigin(OpPass.Backward, "Sqrt", "layer", "+∞", "its output's cotangent was finite, in [1, 1]"), ex.Origin);
        Assert.Contains("the gradient of layer/p is not finite", ex.Message);
    }

    [Fact]
    public void A_finite_computation_has_no_origin()
    {
        var p = Params<double>.Empty.With("p", Tensor.Vector(1.0, 4.0));
        var loss = from v in Net.Param<double>("p") from r in Sqrt.Apply(v) from l in Sum.Apply(r) select l;
        Assert.Null(NonFiniteOrigin.Find<double>(o => Grad.ValueAndGrad(loss, p, observer: o)));
    }
}
