using System.Numerics;
using FunctionalNets.Autodiff;
using FunctionalNets.Ops;
using FunctionalNets.Parameters;

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
    /// <remarks>The product runs under the layer's scope too, so traces and errors name it <c>…/name</c>.</remarks>
    public static Layer<T> Of<T>(string name, int units, bool bias = true, LinearInit<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> => x => Net.Scope(name,
        from p in Weights("", x.Dim(-1), units, bias, init)
        from y in p.B is { } b ? Affine.Apply(x, p.W, b) : MatMul.Apply(x, p.W)
        select y);

    /// <summary>
    /// The parameters of the dense layer <paramref name="name"/> for inputs of width <paramref name="inputs"/>,
    /// read (or created) without applying them: <c>name/w</c> [inputs, units] and, with <paramref name="bias"/>,
    /// <c>name/b</c> [units], initialised as in <see cref="Of{T}"/>. For layers that fuse several projections.
    /// </summary>
    public static Net<T, (Var<T> W, Var<T>? B)> Weights<T>(string name, int inputs, int units, bool bias = true, LinearInit<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> => Net.Scope(name,
        from w in Net.Param("w", [inputs, units], init?.Weight ?? Init.UniformFanIn<T>())
        from b in bias
            ? Net.Param("b", [units], init?.Bias ?? Init.Uniform<T>(1 / Math.Sqrt(inputs))).Select(v => (Var<T>?)v)
            : Net.Pure<T, Var<T>?>(null)
        select (w, b));

    /// <summary>
    /// A perceptron: one output unit <c>f(w·x + b)</c> with the activation <paramref name="activation"/>
    /// (identity when null).
    /// </summary>
    public static Layer<T> Perceptron<T>(string name, Layer<T>? activation = null, LinearInit<T>? init = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Of(name, 1, bias: true, init).Then(activation ?? Layer.Identity<T>());
}
