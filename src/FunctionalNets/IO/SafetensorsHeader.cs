using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using FunctionalNets.Tensors;

namespace FunctionalNets.IO;

/// <summary>One tensor as the header describes it: its name, dtype, shape and byte range in the data section.</summary>
internal readonly record struct HeaderEntry(string Name, Dtype Dtype, Shape Shape, long Begin, long End);

/// <summary>
/// The JSON header of a safetensors file: writing it deterministically, and reading it with every check of the
/// reference implementation (and a few more), so a damaged or hostile header fails with a
/// <see cref="CheckpointException"/> before anything is allocated for the data.
/// </summary>
internal static class SafetensorsHeader
{
    public const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The deepest valid header is root object → entry object → shape array.
    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 3, AllowDuplicateProperties = false };

    /// <summary>
    /// The header bytes: <c>{"__metadata__":{…},"name":{"dtype":…,"shape":[…],"data_offsets":[begin,end]},…}</c>
    /// with the metadata and the tensors in the given order, offsets packed from 0, padded with spaces to a
    /// multiple of 8 bytes so the data section starts aligned.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, StoredTensor>> tensors, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            var sortedMetadata = metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            if (sortedMetadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in sortedMetadata) json.WriteString(Valid(key, "metadata key"), Valid(value, $"metadata value of '{key}'"));
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                var end = offset + tensor.Bytes.Length;
                json.WriteStartObject(Valid(name, "tensor name"));
                json.WriteString("dtype", tensor.Dtype.ToString());
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        var header = new byte[(buffer.WrittenCount + 7) / 8 * 8];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    // The JSON writer would silently replace a lone surrogate with U+FFFD, and the name read back would differ.
    private static string Valid(string text, string what)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
            return text;
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"Safetensors.Write: the {what} {JsonSerializer.Serialize(text)} is not valid UTF-16 (a lone surrogate)");
        }
    }

    /// <summary>
    /// The entries of <paramref name="header"/>, sorted by where their data starts, and its metadata; throws a
    /// <see cref="CheckpointException"/> naming <paramref name="file"/> unless the entries tile a data section of
    /// <paramref name="dataLength"/> bytes exactly.
    /// </summary>
    public static (HeaderEntry[] Entries, ImmutableSortedDictionary<string, string> Metadata) Parse(
        ReadOnlyMemory<byte> header, long dataLength, string file)
    {
        if (header.Length == 0 || header.Span[0] != (byte)'{')
            throw new CheckpointException(file, null, "the header does not start with '{'");
        if (!Utf8.IsValid(header.Span))
            throw new CheckpointException(file, null, "the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, ReaderOptions);
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(file, null, $"the header is not valid JSON (at most {ReaderOptions.MaxDepth} levels deep, no repeated keys): {ex.Message}");
        }
        using (document)
        {
            var entries = new List<HeaderEntry>();
            var metadata = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
                if (property.NameEquals(MetadataKey)) metadata = ParseMetadata(property.Value, file);
                else entries.Add(ParseEntry(property.Name, property.Value, dataLength, file));
            var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
            RequireTiling(sorted, dataLength, file);
            return (sorted, metadata);
        }
    }

    private static ImmutableSortedDictionary<string, string> ParseMetadata(JsonElement value, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(file, null, $"{MetadataKey} is a JSON {value.ValueKind}, not an object of strings");
        var metadata = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
            metadata.Add(entry.Name, entry.Value.ValueKind == JsonValueKind.String
                ? entry.Value.GetString()!
                : throw new CheckpointException(file, null, $"{MetadataKey} entry '{CheckpointException.Excerpt(entry.Name)}' is a JSON {entry.Value.ValueKind}, not a string"));
        return metadata.ToImmutable();
    }

    private static HeaderEntry ParseEntry(string name, JsonElement value, long dataLength, string file)
    {
        CheckpointException Bad(string problem) => new(file, name, problem);
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad($"the entry is a JSON {value.ValueKind}, not an object");
        (JsonElement? dtype, JsonElement? shape, JsonElement? offsets) = (null, null, null);
        foreach (var field in value.EnumerateObject())
            switch (field.Name)
            {
                case "dtype": dtype = field.Value; break;
                case "shape": shape = field.Value; break;
                case "data_offsets": offsets = field.Value; break;
                default: throw Bad($"unknown field '{CheckpointException.Excerpt(field.Name)}' (an entry has dtype, shape and data_offsets)");
            }
        if (dtype is not { ValueKind: JsonValueKind.String } d || !Dtypes.TryParse(d.GetString()!, out var type))
            throw Bad(dtype is null ? "no dtype" : $"dtype {CheckpointException.Excerpt(dtype.Value.GetRawText())} is not one of F32, F64, I32, I64");
        var dims = Integers(shape, "shape", Bad);
        var range = Integers(offsets, "data_offsets", Bad);
        if (range.Length != 2)
            throw Bad($"data_offsets has {range.Length} numbers, not 2 (begin, end)");
        var (begin, end) = (range[0], range[1]);
        if (end < begin)
            throw Bad($"data_offsets [{begin}, {end}] end before they begin");
        if (end > (ulong)dataLength)
            throw Bad($"data_offsets [{begin}, {end}] run past the end of the data section ({dataLength} bytes)");
        // The element count must fit a tensor; checking every partial product keeps each one below 2⁶² (no overflow).
        ulong elements = 1;
        foreach (var dim in dims)
            if (dim > int.MaxValue || (elements *= dim) > (ulong)Array.MaxLength)
                throw Bad($"shape {FormatDims(dims)} is too large for a tensor (at most {Array.MaxLength} elements)");
        var bytes = elements * (ulong)type.Size();
        if (bytes != end - begin)
            throw Bad($"{type} {FormatDims(dims)} needs {bytes} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return new HeaderEntry(name, type, Shape.Of([.. dims.Select(x => (int)x)]), (long)begin, (long)end);
    }

    private static string FormatDims(ulong[] dims) => $"[{string.Join(", ", dims)}]";

    // A JSON array of non-negative integers (no fraction, no exponent), as the reference reads with u64.
    private static ulong[] Integers(JsonElement? value, string field, Func<string, CheckpointException> bad)
    {
        if (value is not { ValueKind: JsonValueKind.Array } array)
            throw bad(value is null ? $"no {field}" : $"{field} is a JSON {value.Value.ValueKind}, not an array");
        var numbers = new ulong[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
            numbers[i++] = item.ValueKind == JsonValueKind.Number && item.TryGetUInt64(out var n)
                ? n
                : throw bad($"{field} holds {CheckpointException.Excerpt(item.GetRawText())}, not a non-negative integer");
        return numbers;
    }

    // Sorted by start, the entries must begin at 0, follow one another with no gap or overlap, and end exactly
    // at the end of the file: every byte of the data section belongs to exactly one tensor.
    private static void RequireTiling(HeaderEntry[] sorted, long dataLength, string file)
    {
        long expected = 0;
        foreach (var e in sorted)
        {
            if (e.Begin != expected)
                throw new CheckpointException(file, e.Name, e.Begin > expected
                    ? $"data_offsets [{e.Begin}, {e.End}] leave a gap: the previous tensor ends at {expected}"
                    : $"data_offsets [{e.Begin}, {e.End}] overlap the previous tensor, which ends at {expected}");
            expected = e.End;
        }
        if (expected != dataLength)
            throw new CheckpointException(file, null, $"the tensors cover {expected} bytes of data but the file holds {dataLength} after the header");
    }
}
