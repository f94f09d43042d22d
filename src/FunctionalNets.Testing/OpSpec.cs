using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>
/// An op under test, in float64: how to draw its inputs, its forward and its VJP. One catalog line buys the
/// finite-difference VJP check and the generic laws in <see cref="OpLaws"/>.
/// </summary>
/// <param name="Name">The op's name, shown by the test runner.</param>
/// <param name="Inputs">Draws the inputs (keep them away from kinks such as relu at 0 by more than the FD step).</param>
/// <param name="Forward">The forward function in float64.</param>
/// <param name="Vjp">Maps (inputs, dy) to one cotangent per input; null for inputs with no gradient (ids).</param>
/// <param name="ForwardFloat">The same forward in float32, when the op has one; compared against float64.</param>
/// <param name="FloatTolerance">Relative tolerance for float32 against float64, scaled by the output's magnitude.</param>
/// <param name="Apply">
/// The op on the tape in float64, given one <see cref="Var{T}"/> per input (inputs with no gradient arrive as
/// constants, to be read through their values); its recorded pullback is checked against <paramref name="Vjp"/>.
/// </param>
/// <param name="ApplyFloat">The same in float32: its pullback is compared with the float64 <paramref name="Vjp"/>.</param>
public sealed record OpSpec(
    string Name,
    Gen<Tensor<double>[]> Inputs,
    Func<Tensor<double>[], Tensor<double>> Forward,
    Func<Tensor<double>[], Tensor<double>, Tensor<double>?[]> Vjp,
    Func<Tensor<float>[], Tensor<float>>? ForwardFloat = null,
    double FloatTolerance = 1e-4,
    Func<Var<double>[], Net<double, Var<double>>>? Apply = null,
    Func<Var<float>[], Net<float, Var<float>>>? ApplyFloat = null)
{
    /// <summary>A one-input op.</summary>
    public static OpSpec Unary(string name, Gen<Tensor<double>> input, Func<Tensor<double>, Tensor<double>> forward,
        Func<Tensor<double>, Tensor<double>, Tensor<double>> vjp, Func<Tensor<float>, Tensor<float>>? forwardFloat = null,
        Func<Var<double>, Net<double, Var<double>>>? apply = null, Func<Var<float>, Net<float, Var<float>>>? applyFloat = null) =>
        new(name, input.Select(x => new[] { x }), xs => forward(xs[0]), (xs, dy) => [vjp(xs[0], dy)],
            forwardFloat is null ? null : xs => forwardFloat(xs[0]),
            Apply: apply is null ? null : xs => apply(xs[0]),
            ApplyFloat: applyFloat is null ? null : xs => applyFloat(xs[0]));

    /// <summary>A two-input op.</summary>
    public static OpSpec Binary(string name, Gen<(Tensor<double>, Tensor<double>)> inputs,
        Func<Tensor<double>, Tensor<double>, Tensor<double>> forward,
        Func<Tensor<double>, Tensor<double>, Tensor<double>, (Tensor<double>, Tensor<double>)> vjp,
        Func<Tensor<float>, Tensor<float>, Tensor<float>>? forwardFloat = null,
        Func<Var<double>, Var<double>, Net<double, Var<double>>>? apply = null,
        Func<Var<float>, Var<float>, Net<float, Var<float>>>? applyFloat = null) =>
        new(name, inputs.Select(p => new[] { p.Item1, p.Item2 }), xs => forward(xs[0], xs[1]),
            (xs, dy) =>
            {
                var (da, db) = vjp(xs[0], xs[1], dy);
                return [da, db];
            },
            forwardFloat is null ? null : xs => forwardFloat(xs[0], xs[1]),
            Apply: apply is null ? null : xs => apply(xs[0], xs[1]),
            ApplyFloat: applyFloat is null ? null : xs => applyFloat(xs[0], xs[1]));

    /// <summary>The name, so test runners show which op a case is.</summary>
    public override string ToString() => Name;
}
