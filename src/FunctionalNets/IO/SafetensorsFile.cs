using System.Collections.Immutable;

namespace FunctionalNets.IO;

/// <summary>The contents of a safetensors file as a value: named tensors and string metadata, both in ordinal order of their names.</summary>
/// <param name="Tensors">The tensors by name.</param>
/// <param name="Metadata">The <c>__metadata__</c> entries (empty when the file has none).</param>
public sealed record SafetensorsFile(
    ImmutableSortedDictionary<string, StoredTensor> Tensors,
    ImmutableSortedDictionary<string, string> Metadata)
{
    /// <summary>A file's contents from tensors and metadata in any order; a name given twice is an error.</summary>
    public static SafetensorsFile Of(
        IEnumerable<KeyValuePair<string, StoredTensor>> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null) =>
        new(Sorted(tensors, "tensor"), Sorted(metadata ?? [], "metadata key"));

    private static ImmutableSortedDictionary<string, TValue> Sorted<TValue>(IEnumerable<KeyValuePair<string, TValue>> items, string what)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, TValue>(StringComparer.Ordinal);
        foreach (var (name, value) in items)
            if (!builder.TryAdd(name, value))
                throw new ArgumentException($"SafetensorsFile: {what} '{name}' given twice");
        return builder.ToImmutable();
    }
}
