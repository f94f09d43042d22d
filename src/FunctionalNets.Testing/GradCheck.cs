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
    /// Tolerance: the central difference has truncation error O(ε²·f‴), and rounding error ≈ 2⁻⁵² · Σ|vₖ·fₖ(x ± εu)| / ε,
    /// measured on the two values that are subtracted (not on f(x), which can be 0 while f(x ± εu) is not: a product
    /// at a zero factor). Neither bound is the whole story, so the error is also measured: the difference is taken
    /// again at 2ε, and the change between the two is allowed. Where truncation dominates, the error at ε is a third
    /// of that change (it grows as ε²); where rounding dominates (an op whose outputs are small sums of larger terms,
    /// such as attention averaging values of both signs), the error at ε is about as large as the change, since the
    /// two roundings are independent and the one at ε is twice the one at 2ε. Attention over 56 keys with a query near
    /// 0 needed that: its difference at ε = 1e-6 was off by 1.6e-3 relative, more than four ulps of its outputs
    /// explain, while at ε = 1e-3 it agreed with the VJP to seven digits. We allow <paramref name="rtol"/> times the
    /// absolute scale of the dot products, four times the rounding bound and the measured change; nothing is tuned
    /// per op. A wrong VJP still fails: the two differences agree with each other, not with it.
    /// </remarks>
    public static void DotProduct(OpSpec op, Tensor<double>[] xs, ulong seed, double eps = 1e-6, double rtol = 1e-6)
    {
        var y = op.Forward(xs);
        var v = Draw.Like(y, seed);
        var dxs = op.Vjp(xs, v);
        var us = xs.Select((x, i) => Draw.Like(x, seed + 1 + (ulong)i)).ToArray();
        Tensor<double> Moved(double step) => op.Forward(xs.Select((x, i) => dxs[i] is null ? x : Draw.Axpy(x, step, us[i])).ToArray());
        (double Dot, double Scale, double Rounding) Difference(double step)
        {
            var (plus, minus) = (Moved(step), Moved(-step));
            var fd = Tensor.Build<double>(y.Shape, d =>
            {
                for (var k = 0; k < d.Length; k++) d[k] = (plus.Span[k] - minus.Span[k]) / (2 * step);
            });
            return (Draw.Dot(v, fd), Draw.AbsDot(v, fd), 4 * Math.Pow(2, -52) * Math.Max(Draw.AbsDot(v, plus), Draw.AbsDot(v, minus)) / step);
        }
        var (lhs, scale, rounding) = Difference(eps);
        var measured = Math.Abs(Difference(2 * eps).Dot - lhs);
        double rhs = 0;
        for (var i = 0; i < xs.Length; i++)
        {
            if (dxs[i] is not { } dx) continue;
            if (dx.Shape != xs[i].Shape)
                throw new Exception($"{op.Name}: cotangent {i} has shape {dx.Shape}, input has {xs[i].Shape}");
            rhs += Draw.Dot(dx, us[i]);
            scale += Draw.AbsDot(dx, us[i]);
        }
        var tol = rtol * scale + rounding + measured + 1e-300;
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
