using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Ops;

/// <summary>
/// Layer normalisation over the last axis: <c>y = (x − μ)·rstd·γ + β</c>, <c>rstd = 1/√(var + ε)</c>, where μ and
/// the biased variance are taken over the last axis of x [..., C], and γ, β are [C]. The gain- and bias-free form
/// <c>y = (x − μ)·rstd</c> (the book's example 6) takes x alone.
/// </summary>
/// <remarks>
/// VJP, with <c>x̂ = (x − μ)·rstd</c> and <c>dn = dy·γ</c>: <c>dx = rstd·(dn − mean(dn) − x̂·mean(dn·x̂))</c>,
/// <c>dγ = Σ dy·x̂</c> and <c>dβ = Σ dy</c> summed over every row. Residuals: the per-row mean and rstd
/// (<see cref="Saved{T}"/>, as llm.c keeps them), so the VJP never recomputes the reductions; x̂ is rebuilt from x.
/// Special values: a constant row has variance 0 and normalises to 0 (y = β, up to the rounding of its mean), with
/// rstd = 1/√ε; that is why ε must be positive (and finite): ε ≤ 0 is an error, where ε = 0 would give 0·∞ = NaN and
/// ε &lt; 0 the root of a negative number. The last axis must be non-empty.
/// </remarks>
public static class LayerNorm
{
    /// <summary>The default ε added to the variance, 1e-5 (PyTorch's and GPT-2's).</summary>
    public const double DefaultEps = 1e-5;

    /// <summary><c>y = (x − μ)·rstd·γ + β</c>, with the per-row mean and rstd as residuals.</summary>
    public static (Tensor<T> Y, Saved<T> Saved) Forward<T>(Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, double eps = DefaultEps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = Dims(x);
        if (gamma.Shape != Shape.Of(c) || beta.Shape != Shape.Of(c))
            throw new ArgumentException($"{nameof(LayerNorm)}: gain {gamma.Shape} and bias {beta.Shape} must both be [{c}] for input {x.Shape}");
        return Normalise(x, gamma, beta, eps);
    }

    /// <summary><c>y = (x − μ)·rstd</c> (no gain or bias), with the per-row mean and rstd as residuals.</summary>
    public static (Tensor<T> Y, Saved<T> Saved) Forward<T>(Tensor<T> x, double eps = DefaultEps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Dims(x);
        return Normalise(x, null, null, eps);
    }

    /// <summary><c>(dx, dγ, dβ)</c> from x, γ, the saved mean and rstd, and dy.</summary>
    public static (Tensor<T> Dx, Tensor<T> Dgamma, Tensor<T> Dbeta) Vjp<T>(Tensor<T> x, Tensor<T> gamma, Saved<T> saved, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = Dims(x, saved, dy);
        if (gamma.Shape != Shape.Of(c))
            throw new ArgumentException($"{nameof(LayerNorm)}: gain {gamma.Shape} must be [{c}] for input {x.Shape}");
        var (dgamma, dbeta) = (new T[c], new T[c]);
        var dx = Tensor.Build<T>(x.Shape, o =>
            Norm.Backward(x.Span, gamma.Span, saved.Mean.Span, saved.Rstd.Span, dy.Span, o, dgamma, dbeta, x.Size / c, c));
        return (dx, Tensor.From<T>(gamma.Shape, dgamma), Tensor.From<T>(gamma.Shape, dbeta));
    }

    /// <summary><c>dx</c> of the gain- and bias-free form, from x, the saved mean and rstd, and dy.</summary>
    public static Tensor<T> Vjp<T>(Tensor<T> x, Saved<T> saved, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = Dims(x, saved, dy);
        return Tensor.Build<T>(x.Shape, o =>
            Norm.Backward(x.Span, [], saved.Mean.Span, saved.Rstd.Span, dy.Span, o, [], [], x.Size / c, c));
    }

    /// <summary>LayerNorm with gain and bias on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, Var<T> gamma, Var<T> beta, double eps = DefaultEps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (y, saved) = Forward(x.Value, gamma.Value, beta.Value, eps);
        return Net.Record<T>(nameof(LayerNorm), [x, gamma, beta], y, dy =>
        {
            var (dx, dgamma, dbeta) = Vjp(x.Value, gamma.Value, saved, dy);
            return [dx, dgamma, dbeta];
        });
    }

    /// <summary>The gain- and bias-free LayerNorm on the tape.</summary>
    public static Net<T, Var<T>> Apply<T>(Var<T> x, double eps = DefaultEps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (y, saved) = Forward(x.Value, eps);
        return Net.Record<T>(nameof(LayerNorm), [x], y, dy => [Vjp(x.Value, saved, dy)]);
    }

    /// <summary>The residuals of the forward pass: per-row mean and <c>rstd = 1/√(var + ε)</c>, each of shape [...].</summary>
    /// <param name="Mean">The mean of each row, shape x.Shape without its last axis.</param>
    /// <param name="Rstd">The reciprocal standard deviation of each row, same shape.</param>
    public readonly record struct Saved<T>(Tensor<T> Mean, Tensor<T> Rstd)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private static (Tensor<T> Y, Saved<T> Saved) Normalise<T>(Tensor<T> x, Tensor<T>? gamma, Tensor<T>? beta, double eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(eps > 0 && double.IsFinite(eps)))
            throw new ArgumentException($"{nameof(LayerNorm)}: ε must be positive and finite, got {eps}");
        var c = x.Dim(-1);
        var (rows, e) = (x.Size / c, T.CreateTruncating(eps));
        var (mean, rstd) = (new T[rows], new T[rows]);
        var y = Tensor.Build<T>(x.Shape, o =>
            Norm.Forward(x.Span, gamma is null ? [] : gamma.Span, beta is null ? [] : beta.Span, o, mean, rstd, rows, c, e));
        var stats = x.Shape.Without(-1);
        return (y, new Saved<T>(Tensor.From<T>(stats, mean), Tensor.From<T>(stats, rstd)));
    }

    private static int Dims<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank < 1 || x.Dim(-1) == 0)
            throw new ArgumentException($"{nameof(LayerNorm)}: expected [..., C] with C ≥ 1, got {x.Shape}");
        return x.Dim(-1);
    }

    private static int Dims<T>(Tensor<T> x, Saved<T> saved, Tensor<T> dy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = Dims(x);
        Check.SameShape(nameof(LayerNorm), x, dy);
        var stats = x.Shape.Without(-1);
        if (saved.Mean.Shape != stats || saved.Rstd.Shape != stats)
            throw new ArgumentException($"{nameof(LayerNorm)}: saved mean {saved.Mean.Shape} and rstd {saved.Rstd.Shape} must be {stats} for input {x.Shape}");
        return c;
    }
}
