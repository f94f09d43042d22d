using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Tensors;
using FunctionalNets.Testing;

namespace FunctionalNets.Tests.Ops;

/// <summary>Test helpers for the shape ops and activations: specs that carry integer settings, and tape runs.</summary>
internal static class ShapeFamily
{
    /// <summary>
    /// An op whose cases carry integer settings (an axis, sizes, a permutation, ids) drawn together with its tensors.
    /// The settings ride along as a last input, a float64 vector of small integers (exact in float32 too) whose
    /// cotangent is null, so the generic laws pass it through unperturbed (and the tape laws as a constant).
    /// </summary>
    public static OpSpec Spec(string name, Gen<(int[] Settings, Tensor<double>[] Inputs)> cases,
        Func<int[], Tensor<double>[], Tensor<double>> forward,
        Func<int[], Tensor<double>[], Tensor<double>, Tensor<double>?[]> vjp,
        Func<int[], Tensor<float>[], Tensor<float>> forwardFloat,
        Func<int[], Var<double>[], Net<double, Var<double>>> apply,
        Func<int[], Var<float>[], Net<float, Var<float>>> applyFloat) =>
        new(name,
            cases.Select(c => (Tensor<double>[])[.. c.Inputs, Tensor.Vector<double>([.. c.Settings.Select(s => (double)s)])]),
            xs => forward(Settings(xs[^1]), xs[..^1]),
            (xs, dy) => [.. vjp(Settings(xs[^1]), xs[..^1], dy), null],
            xs => forwardFloat(Settings(xs[^1]), xs[..^1]),
            Apply: xs => apply(Settings(xs[^1].Value), xs[..^1]),
            ApplyFloat: xs => applyFloat(Settings(xs[^1].Value), xs[..^1]));

    /// <summary>Puts <paramref name="xs"/> on a recording tape, applies <paramref name="f"/> and pulls <paramref name="dy"/> back: one cotangent per input.</summary>
    public static (Tensor<double> Y, Tensor<double>?[] Dxs) OnTape(Func<Var<double>[], Net<double, Var<double>>> f, Tensor<double> dy, params Tensor<double>[] xs) =>
        Pullback.OnTape(f, xs, new bool[xs.Length], dy);

    /// <summary>A random permutation of <c>0 … rank−1</c>.</summary>
    public static Gen<int[]> Permutation(int rank) => Gen.Shuffle(Enumerable.Range(0, rank).ToArray());

    /// <summary>Flat values drawn from <c>[lo, hi]</c>, each pushed 1e-3 further from 0, so none is within 1e-3 of a kink at 0.</summary>
    public static Gen<Tensor<double>> AwayFromZero(double lo, double hi) =>
        Gens.Flat(lo, hi).Select(t => Tensor.Build<double>(t.Shape, y =>
        {
            for (var i = 0; i < y.Length; i++) y[i] = t.Span[i] + (t.Span[i] >= 0 ? 1e-3 : -1e-3);
        }));

    private static int[] Settings<T>(Tensor<T> s)
        where T : unmanaged, System.Numerics.INumber<T> => [.. s.Data.Select(int.CreateChecked)];
}
