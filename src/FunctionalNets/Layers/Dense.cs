using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Params;

namespace FunctionalNets.Layers;

/// <summary>How a linear layer's weight and bias start. Null members fall back to PyTorch's default, U(±1/√in).</summary>
/// <param name="Weight">Initializer of the weight [in, out].</param>
/// <param name="Bias">Initializer of the bias [out].</param>
public sealed record LinearInit<T>(Initializer<T>? Weight = null, Initializer<T>? Bias = null)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>GPT-2's choice: weights N(0, σ), biases zero.</summary>
    public static LinearInit<T> Gpt(double std = 0.02) => new(Init.Normal<T>(std), Init.Zeros<T>());
}

/// <summary>Affine layers in the row-vector convention: <c>y = x·W + b</c> with W of shape [in, out].</summary>
public static class Dense
{
    /// <summary>
    /// A dense layer named <paramref name="name"/> with <paramref name="units"/> outputs: parameters
    /// <c>name/w</c> [in, units] and, with <paramref name="bias"/>, <c>name/b</c> [units]. Both default to
    /// U(±1/√in), PyTorch's default for a linear layer.
    /// </summary>
    public static Layer<T> Of<T>(string name, int units, bool bias = true, LinearInit<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> => x => Net.Scope(name,
        from w in Net.Param("w", [x.Dim(-1), units], init?.Weight ?? Init.UniformFanIn<T>())
        from y in bias ? Biased(x, w, units, init?.Bias ?? Init.Uniform<T>(1 / Math.Sqrt(x.Dim(-1)))) : MatMul.Apply(x, w)
        select y);

    /// <summary>
    /// A perceptron: one output unit <c>f(w·x + b)</c> with the activation <paramref name="activation"/>
    /// (identity when null).
    /// </summary>
    public static Layer<T> Perceptron<T>(string name, Layer<T>? activation = null, LinearInit<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Of(name, 1, bias: true, init).Then(activation ?? Layer.Identity<T>());

    private static Net<T, Var<T>> Biased<T>(Var<T> x, Var<T> w, int units, Initializer<T> init)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        from b in Net.Param("b", [units], init)
        from y in Affine.Apply(x, w, b)
        select y;
}
