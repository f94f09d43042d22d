using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using FunctionalNets.Tensors;
using LanguageExt;
using LanguageExt.Common;

namespace FunctionalNets.IO;

/// <summary>
/// Reads and writes the safetensors layout: an 8-byte little-endian header length <c>N</c>, <c>N</c> bytes of UTF-8
/// JSON (an object of <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> entries and an optional
/// <c>__metadata__</c> object of strings, padded with spaces), then the tensors' little-endian row-major bytes.
/// </summary>
/// <remarks>
/// Writing is deterministic (metadata and tensors in ordinal order of their names, data in that order), so equal
/// contents give identical bytes, and atomic (<see cref="Write(string, SafetensorsFile)"/> replaces the file in one
/// rename). Reading checks everything the reference implementation checks before allocating for the data: the
/// header's size and start, UTF-8, JSON (no repeated keys, bounded depth), each entry's dtype, shape and byte size,
/// and that the entries tile the data section exactly. See docs/checkpoint-format.md.
/// </remarks>
public static class Safetensors
{
    /// <summary>The largest header a reader accepts, in bytes (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="file"/> to <paramref name="path"/> atomically: a temporary beside it, fsync, rename, directory fsync.</summary>
    public static void Write(string path, SafetensorsFile file) => AtomicFile.Write(path, stream => Write(stream, file));

    /// <summary>Writes <paramref name="file"/> to <paramref name="stream"/> at its current position.</summary>
    public static void Write(Stream stream, SafetensorsFile file)
    {
        if (file.Tensors.ContainsKey(SafetensorsHeader.MetadataKey))
            throw new ArgumentException($"Safetensors.Write: '{SafetensorsHeader.MetadataKey}' is reserved for the metadata and cannot name a tensor");
        var tensors = file.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var header = SafetensorsHeader.Encode(tensors, file.Metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in tensors) stream.Write(tensor.Bytes);
    }

    /// <summary>The tensors and metadata of the file at <paramref name="path"/>; a damaged or unreadable file is a <see cref="CheckpointException"/>.</summary>
    public static SafetensorsFile Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            return Read(stream, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, null, $"cannot read the file: {ex.Message}", ex);
        }
    }

    /// <summary>The result of <see cref="Read(string)"/> as a value: the file, or the error.</summary>
    public static Fin<SafetensorsFile> TryRead(string path) => Catch(() => Read(path));

    /// <summary>
    /// The tensors and metadata of a seekable <paramref name="stream"/> holding one whole file from position 0;
    /// errors name the file as <paramref name="name"/>.
    /// </summary>
    public static SafetensorsFile Read(Stream stream, string name)
    {
        var length = stream.Length;
        stream.Position = 0;
        if (length < 8)
            throw new CheckpointException(name, null, $"the file has {length} bytes, fewer than the 8 of the header length");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderBytes)
            throw new CheckpointException(name, null, $"the header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
        if ((long)n > length - 8)
            throw new CheckpointException(name, null, $"the header length {n} runs past the end of the file ({length} bytes)");
        var header = new byte[n];
        stream.ReadExactly(header);
        var (entries, metadata) = SafetensorsHeader.Parse(header, length - 8 - (long)n, name);
        // Entries are sorted by offset and tile the data section, so the data is read in one forward pass.
        var tensors = new KeyValuePair<string, StoredTensor>[entries.Length];
        for (var i = 0; i < entries.Length; i++)
            tensors[i] = new(entries[i].Name, ReadTensor(stream, entries[i]));
        return SafetensorsFile.Of(tensors, metadata);
    }

    /// <summary>Runs <paramref name="read"/>, returning its <see cref="CheckpointException"/> as a failed <see cref="Fin{A}"/>.</summary>
    internal static Fin<TResult> Catch<TResult>(Func<TResult> read)
    {
        try
        {
            return read();
        }
        catch (CheckpointException ex)
        {
            return Error.New(ex);
        }
    }

    private static StoredTensor ReadTensor(Stream stream, HeaderEntry entry) => entry.Dtype switch
    {
        Dtype.F32 => ReadTensor<float>(stream, entry.Shape),
        Dtype.F64 => ReadTensor<double>(stream, entry.Shape),
        Dtype.I32 => ReadTensor<int>(stream, entry.Shape),
        _ => ReadTensor<long>(stream, entry.Shape),
    };

    // The elements are read straight into the tensor's buffer: the file's bytes are little-endian, as is memory on
    // the platforms FunctionalNets supports (x64, Arm64).
    private static StoredTensor ReadTensor<T>(Stream stream, Shape shape)
        where T : unmanaged, INumber<T>
    {
        var data = GC.AllocateUninitializedArray<T>(shape.Size);
        stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        return StoredTensor.Of(new Tensor<T>(shape, data));
    }
}
