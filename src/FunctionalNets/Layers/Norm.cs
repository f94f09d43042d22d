using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Params;

namespace FunctionalNets.Layers;

/// <summary>Layer normalisation as a layer with learned gain <c>g</c> (ones) and bias <c>b</c> (zeros) over the last axis.</summary>
public static class Norm
{
    /// <summary>The layer <c>name</c>: <c>(x − μ)/√(σ² + ε)·g + b</c> over the last axis.</summary>
    public static Layer<T> Layer<T>(string name, double eps = 1e-5)
        where T : unmanaged, IFloatingPointIeee754<T> => x => Net.Scope(name,
        from g in Net.Param("g", [x.Dim(-1)], Init.Ones<T>())
        from b in Net.Param("b", [x.Dim(-1)], Init.Zeros<T>())
        from y in Ops.LayerNorm.Apply(x, g, b, eps)
        select y);
}
