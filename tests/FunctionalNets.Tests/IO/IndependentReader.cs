using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace FunctionalNets.Tests.IO;

/// <summary>
/// A minimal safetensors reader written for the tests from the format's description, sharing no code with the
/// library: the 8-byte little-endian length, the JSON header (System.Text.Json), the raw data section.
/// </summary>
internal static class IndependentReader
{
    public sealed record Entry(string Dtype, long[] Shape, long Begin, long End);

    public sealed record Layout(ulong HeaderLength, string HeaderText, Dictionary<string, Entry> Entries, Dictionary<string, string> Metadata, byte[] Data)
    {
        /// <summary>The bytes of one tensor, taken from the data section by its offsets.</summary>
        public byte[] BytesOf(string name) => Data[(int)Entries[name].Begin..(int)Entries[name].End];
    }

    public static Layout Parse(byte[] file)
    {
        var n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        var text = Encoding.UTF8.GetString(file, 8, (int)n);
        var entries = new Dictionary<string, Entry>();
        var metadata = new Dictionary<string, string>();
        using var json = JsonDocument.Parse(text);
        foreach (var p in json.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString()!;
                continue;
            }
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            entries[p.Name] = new Entry(
                p.Value.GetProperty("dtype").GetString()!,
                [.. p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64())],
                offsets[0],
                offsets[1]);
        }
        return new Layout(n, text, entries, metadata, file[(8 + (int)n)..]);
    }

    /// <summary>The float32 values of little-endian bytes, decoded one by one.</summary>
    public static float[] Floats(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i)))];

    /// <summary>The float64 values of little-endian bytes, decoded one by one.</summary>
    public static double[] Doubles(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 8).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i)))];
}
