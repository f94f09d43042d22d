using System.Numerics;
using System.Runtime.InteropServices;
using FunctionalNets.Tensors;

namespace FunctionalNets.IO;

/// <summary>
/// A tensor whose element type is known at run time, as a safetensors entry is: its <see cref="Dtype"/>, its shape,
/// and the <see cref="Tensor{T}"/> of the matching element type, shared (no copy).
/// </summary>
/// <remarks>
/// A file may mix dtypes (F32 weights next to I64 counters), so a file's tensors cannot all be one
/// <c>Tensor&lt;T&gt;</c>; <see cref="As{T}"/> recovers the typed tensor once the caller knows what it expects.
/// </remarks>
public abstract class StoredTensor
{
    private protected StoredTensor(Dtype dtype, Shape shape) => (Dtype, Shape) = (dtype, shape);

    /// <summary>The element type.</summary>
    public Dtype Dtype { get; }

    /// <summary>The dimensions.</summary>
    public Shape Shape { get; }

    /// <summary>Wraps <paramref name="tensor"/> (no copy); an element type with no dtype is an error.</summary>
    public static StoredTensor Of<T>(Tensor<T> tensor)
        where T : unmanaged, INumber<T> => new Typed<T>(tensor);

    /// <summary>The tensor as <c>Tensor&lt;T&gt;</c>; asking for another element type than the stored one is an error naming both.</summary>
    public Tensor<T> As<T>()
        where T : unmanaged, INumber<T> =>
        this is Typed<T> typed
            ? typed.Tensor
            : throw new InvalidOperationException($"StoredTensor: the tensor {Shape} is {Dtype}, not {typeof(T).Name}");

    /// <summary>The elements' bytes, row-major and little-endian.</summary>
    /// <remarks>The in-memory layout is little-endian on the platforms FunctionalNets supports (x64, Arm64).</remarks>
    internal abstract ReadOnlySpan<byte> Bytes { get; }

    private sealed class Typed<T>(Tensor<T> tensor) : StoredTensor(Dtypes.Of<T>(), tensor.Shape)
        where T : unmanaged, INumber<T>
    {
        public Tensor<T> Tensor { get; } = tensor;

        internal override ReadOnlySpan<byte> Bytes => MemoryMarshal.AsBytes(Tensor.Span);
    }
}
