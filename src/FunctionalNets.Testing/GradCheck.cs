using CsCheck;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Testing;

/// <summary>Checks a VJP against central finite differences, in float64.</summary>
public static class GradCheck
{
    /// <summary>
    /// The dot-product test, one differentiable input at a time: for a random direction uᵢ and a random cotangent v,
    /// <c>⟨v, (f(…, xᵢ+εuᵢ, …) − f(…, xᵢ−εuᵢ, …)) / 2ε⟩</c> must equal <c>⟨vjp(v)ᵢ, uᵢ⟩</c>.
    /// </summary>
    /// <remarks>
    /// Moving one input at a time keeps the difference of a multilinear op (a product, MatMul) free of second-order
    /// terms: moving both factors of x·y by ε·u adds ε²·Σuᵢu′ᵢ to each side, terms of size ε² whose rounding can
    /// exceed the whole first-order signal when x and y are tiny (x, y ≈ 1e-23 gave a difference of exactly 0).
    /// It also names the input whose cotangent is wrong.
    ///
    /// Tolerance: the central difference has truncation error O(ε²·f‴), and rounding error ≈ 2⁻⁵² · M / ε, where M is
    /// the size of ⟨v, f⟩'s terms: at least Σ|vₖ·fₖ(x ± εu)| on the two values that are subtracted (not on f(x), which
    /// can be 0 while f(x ± εu) is not: a product at a zero factor), and at least Σⱼ⟨|dxⱼ|, |xⱼ|⟩, the first-order
    /// change of ⟨v, f⟩ when every input moves by its own size, which stays large where the output is a small sum of
    /// larger terms (attention averaging values of both signs rounds like its terms, not like itself). Neither bound is
    /// the whole story, so the error is also measured: the difference is taken again at 1.5ε, 2ε and 3ε, and twice the
    /// largest change from the one at ε is allowed. Truncation error grows as ε², so at ε it is a sixteenth of that
    /// allowance; rounding error shrinks as 1/ε and is independent at each step, so the differences at larger steps
    /// scatter less than the one at ε does, and the one at ε stays within twice its distance from them unless all three
    /// happen to err the same way by about as much. We allow <paramref name="rtol"/> times the absolute scale of the
    /// dot products, four times the rounding bound and the measured change; nothing is tuned per op. A wrong VJP still
    /// fails: the differences agree with each other, not with it.
    ///
    /// Cases found at CI's 5,000 draws per law, all attention with a query near 0 (nearly uniform weights): over 56
    /// keys, off by 1.6e-3 relative at ε = 1e-6 and within seven digits at ε = 1e-3; over 5 keys whose values (−1, 1,
    /// 0, …) average to 0, off by 1e-4 relative at ε, with the change to 2ε half that error and the one to 3ε as large;
    /// with a query of 6e-66, the keys' slope (5e-68) moves the scores far below the rounding of the weights, so every
    /// difference is exactly 0, and only the second bound on M covers it.
    /// </remarks>
    public static void DotProduct(OpSpec op, Tensor<double>[] xs, ulong seed, double eps = 1e-6, double rtol = 1e-6) =>
        EachInput(op, xs, seed, i => $"input {i}", eps, rtol);

    private static void EachInput(OpSpec op, Tensor<double>[] xs, ulong seed, Func<int, string> inputName, double eps, double rtol)
    {
        var y = op.Forward(xs);
        var v = Draw.Like(y, seed);
        var dxs = op.Vjp(xs, v);
        for (var i = 0; i < xs.Length; i++)
            if (dxs[i] is { } dx && dx.Shape != xs[i].Shape)
                throw new Exception($"{op.Name}: cotangent of {inputName(i)} has shape {dx.Shape}, the input has {xs[i].Shape}");
        // Σⱼ⟨|dxⱼ|, |xⱼ|⟩ over finite terms (an input of −∞, a masked logit, has slope 0): how far ⟨v, f⟩ moves when
        // every input moves by its own size, so 2⁻⁵² times it estimates the rounding of f, wherever its terms cancel.
        var conditioning = 0.0;
        for (var j = 0; j < xs.Length; j++)
            for (var k = 0; dxs[j] is { } dx && k < dx.Size; k++)
                if (Math.Abs(dx.Span[k] * xs[j].Span[k]) is var term && double.IsFinite(term)) conditioning += term;
        for (var i = 0; i < xs.Length; i++)
        {
            if (dxs[i] is not { } dx) continue;
            var u = Draw.Like(xs[i], seed + 1 + (ulong)i);
            Tensor<double> Moved(double step) => op.Forward(xs.Select((x, j) => j == i ? Draw.Axpy(x, step, u) : x).ToArray());
            (double Dot, double Scale, double Rounding) Difference(double step)
            {
                var (plus, minus) = (Moved(step), Moved(-step));
                var fd = Tensor.Build<double>(y.Shape, d =>
                {
                    for (var k = 0; k < d.Length; k++) d[k] = (plus.Span[k] - minus.Span[k]) / (2 * step);
                });
                var magnitude = Math.Max(conditioning, Math.Max(Draw.AbsDot(v, plus), Draw.AbsDot(v, minus)));
                return (Draw.Dot(v, fd), Draw.AbsDot(v, fd), 4 * Math.Pow(2, -52) * magnitude / step);
            }
            var (lhs, scale, rounding) = Difference(eps);
            var measured = 2 * new[] { 1.5, 2, 3 }.Max(k => Math.Abs(Difference(k * eps).Dot - lhs));
            var rhs = Draw.Dot(dx, u);
            var tol = rtol * (scale + Draw.AbsDot(dx, u)) + rounding + measured + 1e-300;
            if (!(Math.Abs(lhs - rhs) <= tol))
                throw new Exception($"{op.Name}: cotangent of {inputName(i)}: ⟨dx,u⟩ = {rhs:R} but finite differences give {lhs:R} (|diff| {Math.Abs(lhs - rhs):E3} > tol {tol:E3}); shapes {string.Join(", ", xs.Select(x => x.Shape))}");
        }
    }

    /// <summary>
    /// The dot-product test for a scalar loss of a whole model: the loss as an op of every parameter tensor at
    /// once (path order), whose VJP is <see cref="Grad.ValueAndGrad{T}(Net{T, Var{T}}, Params{T}, Key?, bool, IOpObserver{T}?, Tensors.StepBuffers?)"/>'s gradient times the scalar cotangent.
    /// Each parameter is moved in turn along a random direction, so a wrong pullback anywhere in the model shows, and the
    /// error names the parameter's path.
    /// </summary>
    /// <remarks>
    /// Forward and gradient both run in training mode with <paramref name="rng"/>, so stochastic layers (dropout)
    /// draw the same masks in every evaluation and the loss is a smooth function of the parameters. To check an
    /// input's cotangent too, read the input as a parameter (<see cref="Net.Param{T}(string)"/>).
    /// </remarks>
    public static void Parameters(string name, Net<double, Var<double>> loss, Params<double> parameters, ulong seed,
        Key? rng = null, double eps = 1e-6, double rtol = 1e-6)
    {
        var paths = parameters.Paths.ToArray();
        Params<double> Of(Tensor<double>[] xs) => Params<double>.Of(paths.Select((path, i) => KeyValuePair.Create(path, xs[i])));
        var xs = parameters.Tensors.ToArray();
        var op = new OpSpec(name, Gen.Const(xs),
            p => Net.Apply(loss, Of(p), rng, training: true).Value,
            (p, dy) =>
            {
                var grads = Grad.ValueAndGrad(loss, Of(p), rng, training: true).Grads;
                return [.. paths.Select(path => Scale.Forward(grads[path], dy.ToScalar()))];
            });
        EachInput(op, xs, seed, i => $"parameter {paths[i]}", eps, rtol);
    }
}
