using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FunctionalNets.Kernels;
using FunctionalNets.Tensors;

namespace FunctionalNets.Parameters;

/// <summary>
/// <see cref="Params{T}.Digest"/> hashed a slice at a time by whichever thread would otherwise wait (offered to
/// <see cref="StaticParallel"/> as idle work), and finished by <see cref="Complete"/> on the caller: the same bytes
/// in the same order, so the same digest whoever hashed which slice, and whenever.
/// </summary>
/// <remarks>
/// A training run hashes each step's parameters while the next step runs: hashing them between steps kept a core
/// idle for the whole hash. The parameters are immutable, so reading them alongside the step is safe.
/// </remarks>
internal sealed class SlicedDigest<T> : IIdleWork, IDisposable
    where T : unmanaged, INumber<T>
{
    // About 12 µs of SHA-256 on this hardware: a thread doing a slice is never long away from its own work.
    private const int SliceBytes = 16 * 1024;

    private readonly Lock gate = new();
    private readonly IncrementalHash sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly (byte[] Header, Tensor<T> Data)[] parts;
    private int part;
    private int offset = -1; // into the current part's data; −1 until its header is fed
    private string? digest;
    private bool disposed;

    public SlicedDigest(Params<T> parameters) => parts = [.. parameters.DigestParts()];

    /// <summary>Feeds one slice, unless another thread is feeding one or nothing is left.</summary>
    public bool RunSlice()
    {
        if (!gate.TryEnter()) return false;
        try
        {
            return Feed();
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>Feeds whatever is left and returns the digest, 64 lowercase hex digits.</summary>
    public string Complete()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            while (Feed()) { }
            return digest ??= Convert.ToHexStringLower(sha.GetHashAndReset());
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            sha.Dispose();
        }
    }

    // The next part's header, or up to SliceBytes of its data; false when everything is fed.
    private bool Feed()
    {
        if (disposed || part == parts.Length) return false;
        var (header, data) = parts[part];
        if (offset < 0)
        {
            sha.AppendData(header);
            offset = 0;
        }
        var bytes = MemoryMarshal.AsBytes(data.Span);
        var count = Math.Min(SliceBytes, bytes.Length - offset);
        sha.AppendData(bytes.Slice(offset, count));
        offset += count;
        if (offset == bytes.Length) (part, offset) = (part + 1, -1);
        return true;
    }
}
