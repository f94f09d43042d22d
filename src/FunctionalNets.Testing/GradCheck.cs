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
    /// The dot-product test: for random directions u (per differentiable input) and a random cotangent v,
    /// <c>⟨v, (f(x+εu) − f(x−εu)) / 2ε⟩</c> must equal <c>Σᵢ⟨vjp(v)ᵢ, uᵢ⟩</c>.
    /// </summary>
    /// <remarks>
    /// Tolerance: the central difference has truncation error O(ε²·f‴) ≈ 1e-12 for ε = 1e-6 and unit-scale
    /// inputs, and rounding error ≈ 2⁻⁵² · Σ|vₖ·fₖ(x ± εu)| / ε, measured on the two values that are subtracted
    /// (not on f(x), which can be 0 while f(x ± εu) is not: a product at a zero factor). We allow <paramref name="rtol"/> times the
    /// absolute scale of the dot products plus four times that rounding bound; nothing is tuned per op.
    /// </remarks>
    public static void DotProduct(OpSpec op, Tensor<double>[] xs, ulong seed, double eps = 1e-6, double rtol = 1e-6)
    {
        var y = op.Forward(xs);
        var v = Draw.Like(y, seed);
        var dxs = op.Vjp(xs, v);
        var us = xs.Select((x, i) => Draw.Like(x, seed + 1 + (ulong)i)).ToArray();
        var plus = op.Forward(xs.Select((x, i) => dxs[i] is null ? x : Draw.Axpy(x, eps, us[i])).ToArray());
        var minus = op.Forward(xs.Select((x, i) => dxs[i] is null ? x : Draw.Axpy(x, -eps, us[i])).ToArray());
        var fd = Tensor.Build<double>(y.Shape, d =>
        {
            for (var k = 0; k < d.Length; k++) d[k] = (plus.Span[k] - minus.Span[k]) / (2 * eps);
        });
        var lhs = Draw.Dot(v, fd);
        double rhs = 0, scale = Draw.AbsDot(v, fd);
        for (var i = 0; i < xs.Length; i++)
        {
            if (dxs[i] is not { } dx) continue;
            if (dx.Shape != xs[i].Shape)
                throw new Exception($"{op.Name}: cotangent {i} has shape {dx.Shape}, input has {xs[i].Shape}");
            rhs += Draw.Dot(dx, us[i]);
            scale += Draw.AbsDot(dx, us[i]);
        }
        var rounding = 4 * Math.Pow(2, -52) * Math.Max(Draw.AbsDot(v, plus), Draw.AbsDot(v, minus)) / eps;
        var tol = rtol * scale + rounding + 1e-300;
        if (!(Math.Abs(lhs - rhs) <= tol))
            throw new Exception($"{op.Name}: VJP ⟨dx,u⟩ = {rhs:R} but finite differences give {lhs:R} (|diff| {Math.Abs(lhs - rhs):E3} > tol {tol:E3}); shapes {string.Join(", ", xs.Select(x => x.Shape))}");
    }

    /// <summary>
    /// The dot-product test for a scalar loss of a whole model: the loss as an op of every parameter tensor at
    /// once (path order), whose VJP is <see cref="Grad.ValueAndGrad{T}(Net{T, Var{T}}, Params{T}, Key?, bool, IOpObserver{T}?, Tensors.StepBuffers?)"/>'s gradient times the scalar cotangent.
    /// One random direction moves every parameter, so a wrong pullback anywhere in the model shows.
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
        DotProduct(op, xs, seed, eps, rtol);
    }
}
