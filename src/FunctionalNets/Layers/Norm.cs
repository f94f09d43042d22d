using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Parameters;
using FunctionalNets.Tensors;

namespace FunctionalNets.Layers;

/// <summary>Layer normalisation as a layer with learned gain <c>g</c> (ones) and, optionally, bias <c>b</c> (zeros) over the last axis.</summary>
public static class Norm
{
    /// <summary>
    /// The layer <c>name</c>: <c>(x − μ)/√(σ² + ε)·g + b</c> over the last axis, with parameters <c>g</c> and
    /// <c>b</c>; with <paramref name="bias"/> false, <c>(x − μ)/√(σ² + ε)·g</c> and only <c>g</c>.
    /// </summary>
    /// <remarks>
    /// The gain-only form (as in W6 and some GPT variants) runs the same op with a constant zero shift: adding 0 to a
    /// product changes no bit, and a constant gets no gradient.
    /// </remarks>
    public static Layer<T> Layer<T>(string name, double eps = Ops.LayerNorm.DefaultEps, bool bias = true)
        where T : unmanaged, IFloatingPointIeee754<T> => x => Net.Scope(name,
        from g in Net.Param("g", [x.Dim(-1)], Init.Ones<T>())
        from b in bias ? Net.Param("b", [x.Dim(-1)], Init.Zeros<T>()) : Net.Const(Tensor.Zeros<T>([x.Dim(-1)]))
        from y in Ops.LayerNorm.Apply(x, g, b, eps)
        select y);
}
