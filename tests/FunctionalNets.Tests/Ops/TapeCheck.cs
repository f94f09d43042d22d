using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.Ops;

/// <summary>
/// Checks that an op's <c>Apply</c> records its own VJP with the inputs in order: the tape's gradient of
/// <c>L = mean(apply(xs)²)</c> must equal <c>vjp(xs, 2y/n)</c>, input by input.
/// </summary>
internal static class TapeCheck
{
    public static void MatchesVjp(Tensor<double>[] xs, Func<Var<double>[], Net<double, Var<double>>> apply,
        Func<Tensor<double>[], Tensor<double>, Tensor<double>[]> vjp, Key? rng = null)
    {
        var names = xs.Select((_, i) => $"x{i}").ToArray();
        var parameters = Params<double>.Of(names.Select((n, i) => KeyValuePair.Create(n, xs[i])));
        var read = Net.Pure<double, Var<double>[]>([]);
        foreach (var (name, x) in names.Zip(xs))
            read = read.Bind(vs => Net.Param<double>(name, x.Shape, (_, _) => throw new InvalidOperationException("no init"))
                .Select(v => (Var<double>[])[.. vs, v]));
        var output = read.Bind(apply);
        var loss =
            from y in output
            from zero in Net.Const(Tensor.Zeros<double>(y.Shape))
            from l in MeanSquaredError.Apply(y, zero)
            select l;

        var (_, grads) = Grad.ValueAndGrad(loss, parameters, rng, training: true);

        var yValue = Net.Apply(output, parameters, rng, training: true).Value;
        var dy = MeanSquaredError.Vjp(yValue, Tensor.Zeros<double>(yValue.Shape), Tensor.Scalar(1.0)).Dprediction;
        var expected = vjp(xs, dy);
        for (var i = 0; i < xs.Length; i++)
            Assert.True(grads[names[i]].AllClose(expected[i], 1e-12, 1e-14), $"input {i}: tape {grads[names[i]]} vs vjp {expected[i]}");
    }
}
