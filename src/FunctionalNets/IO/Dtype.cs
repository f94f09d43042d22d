using System.Numerics;

namespace FunctionalNets.IO;

/// <summary>The element types a safetensors file can hold that FunctionalNets reads and writes, by their safetensors names.</summary>
public enum Dtype
{
    /// <summary>IEEE 754 binary32 (<c>float</c>).</summary>
    F32,

    /// <summary>IEEE 754 binary64 (<c>double</c>).</summary>
    F64,

    /// <summary>Two's-complement 32-bit integer (<c>int</c>): token ids, targets.</summary>
    I32,

    /// <summary>Two's-complement 64-bit integer (<c>long</c>).</summary>
    I64,
}

/// <summary>The mapping between <see cref="Dtype"/>s, .NET element types, byte sizes and header names.</summary>
public static class Dtypes
{
    /// <summary>The dtype of tensors of <typeparamref name="T"/>; an element type with no dtype is an error naming it.</summary>
    public static Dtype Of<T>()
        where T : unmanaged, INumber<T> =>
        typeof(T) == typeof(float) ? Dtype.F32
        : typeof(T) == typeof(double) ? Dtype.F64
        : typeof(T) == typeof(int) ? Dtype.I32
        : typeof(T) == typeof(long) ? Dtype.I64
        : throw new ArgumentException($"safetensors: no dtype for element type {typeof(T).Name} (supported: float, double, int, long)");

    /// <summary>The size of one element in bytes: 4 for F32 and I32, 8 for F64 and I64.</summary>
    public static int Size(this Dtype dtype) => dtype is Dtype.F64 or Dtype.I64 ? 8 : 4;

    /// <summary>The dtype whose header name is <paramref name="name"/> (exact, upper case), if FunctionalNets supports it.</summary>
    public static bool TryParse(string name, out Dtype dtype)
    {
        dtype = name switch
        {
            "F32" => Dtype.F32,
            "F64" => Dtype.F64,
            "I32" => Dtype.I32,
            "I64" => Dtype.I64,
            _ => (Dtype)(-1),
        };
        return Enum.IsDefined(dtype);
    }
}
