using System.Numerics;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;

namespace FunctionalNets.Parameters;

/// <summary>
/// Parameter initializers as <see cref="Initializer{T}"/> values: each draws only from the key it is given, which
/// <c>Net.Param</c> derives as <c>root.FoldIn(path)</c>, so a parameter's initial value depends on the root key and
/// its path alone.
/// </summary>
/// <remarks>
/// Fans follow the row-vector convention <c>y = x·W</c>: a weight <c>[in, out]</c> has <c>fan_in = in</c> and
/// <c>fan_out = out</c> (see <see cref="Fans"/>). The normal initializers are untruncated.
/// </remarks>
public static class Init
{
    /// <summary>
    /// <c>(fan_in, fan_out)</c> of a shape: for rank ≥ 2 the product of all but the last dimension and the last
    /// dimension (<c>[in, out]</c> → <c>(in, out)</c>); <c>(n, n)</c> for a vector <c>[n]</c>; <c>(1, 1)</c> for a scalar.
    /// </summary>
    public static (int FanIn, int FanOut) Fans(Shape shape) => shape.Rank switch
    {
        0 => (1, 1),
        1 => (shape[0], shape[0]),
        _ => (shape.SizeOf(0, shape.Rank - 1), shape[^1]),
    };

    /// <summary>All elements <c>0</c> (biases, LayerNorm shifts).</summary>
    public static Initializer<T> Zeros<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => (_, shape) => Tensor.Zeros<T>(shape);

    /// <summary>All elements <c>1</c> (LayerNorm gains).</summary>
    public static Initializer<T> Ones<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => (_, shape) => Tensor.Ones<T>(shape);

    /// <summary>Exactly <paramref name="value"/>, for fixed weights such as the book's worked examples.</summary>
    /// <remarks>Throws when the parameter's shape differs from the constant's.</remarks>
    public static Initializer<T> Constant<T>(Tensor<T> value)
        where T : unmanaged, IFloatingPointIeee754<T> => (_, shape) => value.Shape == shape
            ? value
            : throw new ArgumentException($"Init.Constant: the constant has shape {value.Shape}, the parameter needs {shape}");

    /// <summary><c>N(0, σ²)</c>; the default <c>σ = 0.01</c> is the book's choice for small networks.</summary>
    public static Initializer<T> Normal<T>(double std = 0.01)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!double.IsFinite(std) || std < 0)
            throw new ArgumentException($"Init.Normal: std must be finite and ≥ 0, got {std}");
        return (key, shape) => Sample.Normal<T>(key, shape, 0, std);
    }

    /// <summary><c>U(−a, a)</c>.</summary>
    public static Initializer<T> Uniform<T>(double a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!double.IsFinite(a) || !(a > 0))
            throw new ArgumentException($"Init.Uniform: the bound a must be finite and > 0, got {a}");
        return (key, shape) => Sample.Uniform<T>(key, shape, -a, a);
    }

    /// <summary><c>U(±1/√fan_in)</c>, the default of PyTorch's linear layers (variance <c>1/(3·fan_in)</c>).</summary>
    public static Initializer<T> UniformFanIn<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => FanUniform<T>((fanIn, _) => 1 / Math.Sqrt(fanIn));

    /// <summary>LeCun uniform, <c>U(±√(3/fan_in))</c>: variance <c>1/fan_in</c>.</summary>
    public static Initializer<T> LecunUniform<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => FanUniform<T>((fanIn, _) => Math.Sqrt(3.0 / fanIn));

    /// <summary>Glorot (Xavier) uniform, <c>U(±√(6/(fan_in + fan_out)))</c>: variance <c>2/(fan_in + fan_out)</c>.</summary>
    public static Initializer<T> GlorotUniform<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => FanUniform<T>((fanIn, fanOut) => Math.Sqrt(6.0 / (fanIn + fanOut)));

    /// <summary>Glorot (Xavier) normal, <c>N(0, 2/(fan_in + fan_out))</c>.</summary>
    public static Initializer<T> GlorotNormal<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => FanNormal<T>((fanIn, fanOut) => Math.Sqrt(2.0 / (fanIn + fanOut)));

    /// <summary>He (Kaiming) uniform for ReLU layers, <c>U(±√(6/fan_in))</c>: variance <c>2/fan_in</c>.</summary>
    public static Initializer<T> HeUniform<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => FanUniform<T>((fanIn, _) => Math.Sqrt(6.0 / fanIn));

    /// <summary>He (Kaiming) normal for ReLU layers, <c>N(0, 2/fan_in)</c>.</summary>
    public static Initializer<T> HeNormal<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => FanNormal<T>((fanIn, _) => Math.Sqrt(2.0 / fanIn));

    // A tensor with no elements has a zero fan and needs no draws, so it skips the bound.
    private static Initializer<T> FanUniform<T>(Func<int, int, double> bound)
        where T : unmanaged, IFloatingPointIeee754<T> => (key, shape) =>
        {
            if (shape.Size == 0) return Tensor.Zeros<T>(shape);
            var (fanIn, fanOut) = Fans(shape);
            var a = bound(fanIn, fanOut);
            return Sample.Uniform<T>(key, shape, -a, a);
        };

    private static Initializer<T> FanNormal<T>(Func<int, int, double> std)
        where T : unmanaged, IFloatingPointIeee754<T> => (key, shape) =>
        {
            if (shape.Size == 0) return Tensor.Zeros<T>(shape);
            var (fanIn, fanOut) = Fans(shape);
            return Sample.Normal<T>(key, shape, 0, std(fanIn, fanOut));
        };
}
