using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.IO;

/// <summary>
/// Where a training state's parts live in a checkpoint file (tensor names, metadata values), both ways: a state to
/// a file's tensors and metadata, and those back to a checked <see cref="TrainState{T}"/>.
/// </summary>
internal static class CheckpointLayout
{
    public const string OptPrefix = "opt/";

    /// <summary>The optimizer's tensors under their checkpoint names, <c>opt/&lt;slot&gt;/&lt;path&gt;</c>, as one tree.</summary>
    public static Params<T> OptTensors<T>(OptState<T> opt)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Params<T>.Of(opt.Slots.SelectMany(slot => slot.Value.Select(kv => KeyValuePair.Create(OptName(slot.Key, kv.Key), kv.Value))));

    private static string OptName(string slot, string path) => $"{OptPrefix}{slot}/{path}";

    /// <summary>Two slot names, if any, of which one extends the other by a path segment (<c>1</c> and <c>1/mu</c>).</summary>
    public static (string Outer, string Inner)? NestedSlots(IReadOnlyList<string> slots)
    {
        var names = new HashSet<string>(slots, StringComparer.Ordinal);
        foreach (var inner in slots)
            if (SlotOf(names, inner, inner.Length) is { } outer)
                return (outer, inner);
        return null;
    }

    // The slot in names that text starts with, followed by '/', looking no further than limit characters; a
    // span lookup at each '/' allocates nothing. Among slots that never nest at most one can match.
    private static string? SlotOf(HashSet<string> names, string text, int limit)
    {
        var lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var slash = text.IndexOf('/'); slash >= 0 && slash <= limit; slash = text.IndexOf('/', slash + 1))
            if (lookup.TryGetValue(text.AsSpan(0, slash), out var slot))
                return slot;
        return null;
    }

    /// <summary>The slot names as a JSON array of strings.</summary>
    public static string EncodeSlots(IReadOnlyList<string> slots) => JsonSerializer.Serialize(slots, SlotsContext.Default.IReadOnlyListString);

    /// <summary>The <see cref="CheckpointKeys.MetadataDigest"/> of <paramref name="metadata"/>, leaving out that key itself.</summary>
    public static string MetadataDigest(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (key == CheckpointKeys.MetadataDigest) continue;
            Append(sha, key);
            Append(sha, value);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void Append(IncrementalHash sha, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        sha.AppendData(length);
        sha.AppendData(bytes);
    }

    public static SafetensorsFile Encode<T>(TrainState<T> state, IReadOnlyDictionary<string, string>? extra)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var key in extra?.Keys ?? [])
            if (key.StartsWith(CheckpointKeys.Prefix, StringComparison.Ordinal))
                throw new ArgumentException($"Checkpoint.Encode: metadata key '{key}' uses the reserved prefix '{CheckpointKeys.Prefix}'");
        foreach (var path in state.Params.Paths)
            if (path.StartsWith(OptPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Checkpoint.Encode: parameter path '{path}' starts with '{OptPrefix}', where the optimizer's tensors go");
        var slots = state.Opt.Slots.Keys.ToList();
        if (NestedSlots(slots) is var (outer, inner))
            throw new ArgumentException($"Checkpoint.Encode: optimizer slots '{outer}' and '{inner}' nest, so their tensor names would be ambiguous");
        var opt = OptTensors(state.Opt);
        var metadata = new Dictionary<string, string>(extra ?? ImmutableDictionary<string, string>.Empty, StringComparer.Ordinal)
        {
            [CheckpointKeys.Format] = Number(Checkpoint.FormatVersion),
            [CheckpointKeys.Step] = Number(state.Step),
            [CheckpointKeys.Key] = $"{Number(state.Key.K0)},{Number(state.Key.K1)}",
            [CheckpointKeys.KeyStream] = Number(Key.StreamVersion),
            [CheckpointKeys.Cursor] = Number(state.Cursor),
            [CheckpointKeys.OptStep] = Number(state.Opt.Step),
            [CheckpointKeys.OptSlots] = EncodeSlots(slots),
            [CheckpointKeys.ParamsDigest] = state.Params.Digest(),
            [CheckpointKeys.OptDigest] = opt.Digest(),
            [CheckpointKeys.Library] = Checkpoint.LibraryVersion,
        };
        metadata[CheckpointKeys.MetadataDigest] = MetadataDigest(metadata);
        var tensors = state.Params.Concat(opt).Select(kv => KeyValuePair.Create(kv.Key, StoredTensor.Of(kv.Value)));
        return SafetensorsFile.Of(tensors, metadata);
    }

    private static string Number<TNumber>(TNumber value)
        where TNumber : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    public static Checkpoint<T> Decode<T>(SafetensorsFile file, string name, TrainState<T>? template)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var meta = new MetadataReader(file.Metadata, name);
        var format = meta.Integer(CheckpointKeys.Format);
        if (format != Checkpoint.FormatVersion)
            throw meta.Bad(CheckpointKeys.Format, $"format version {format}; this library reads version {Checkpoint.FormatVersion}");
        RequireDigest(meta, CheckpointKeys.MetadataDigest, MetadataDigest(file.Metadata), "metadata entries");
        var stream = meta.Integer(CheckpointKeys.KeyStream);
        if (stream != Key.StreamVersion)
            throw meta.Bad(CheckpointKeys.KeyStream, $"random stream version {stream}; this library has version {Key.StreamVersion}, so training would not continue the same random numbers");
        var slots = meta.Slots(CheckpointKeys.OptSlots);
        var dtype = Dtypes.Of<T>();
        foreach (var (tensor, stored) in file.Tensors)
            if (stored.Dtype != dtype)
                throw new CheckpointException(name, tensor, $"dtype {stored.Dtype}, but the checkpoint is read as {dtype} ({typeof(T).Name})");
        if (template is not null) RequireSameTensors(file, name, template, slots);

        var parameters = Params<T>.Of(file.Tensors
            .Where(kv => !kv.Key.StartsWith(OptPrefix, StringComparison.Ordinal))
            .Select(kv => KeyValuePair.Create(kv.Key, kv.Value.As<T>())));
        var trees = slots.ToDictionary(s => s, _ => new List<KeyValuePair<string, Tensor<T>>>(), StringComparer.Ordinal);
        var names = new HashSet<string>(slots, StringComparer.Ordinal);
        var longest = slots.Count == 0 ? 0 : slots.Max(s => s.Length);
        foreach (var (tensor, stored) in file.Tensors.Where(kv => kv.Key.StartsWith(OptPrefix, StringComparison.Ordinal)))
        {
            var rest = tensor[OptPrefix.Length..];
            var slot = SlotOf(names, rest, longest)
                ?? throw new CheckpointException(name, tensor, $"under '{OptPrefix}' but in none of the {slots.Count} optimizer slots");
            trees[slot].Add(KeyValuePair.Create(rest[(slot.Length + 1)..], stored.As<T>()));
        }
        var opt = new OptState<T>(meta.Integer(CheckpointKeys.OptStep),
            trees.ToImmutableSortedDictionary(kv => kv.Key, kv => Params<T>.Of(kv.Value), StringComparer.Ordinal));

        RequireDigest(meta, CheckpointKeys.ParamsDigest, parameters.Digest(), "parameters");
        RequireDigest(meta, CheckpointKeys.OptDigest, OptTensors(opt).Digest(), "optimizer tensors");
        var state = new TrainState<T>(meta.Integer(CheckpointKeys.Step), parameters, opt, meta.Key(CheckpointKeys.Key), meta.Integer(CheckpointKeys.Cursor));
        return new Checkpoint<T>(state, file.Metadata);
    }

    // The file must hold exactly the template's tensors, with its shapes, and the template's optimizer slots.
    private static void RequireSameTensors<T>(SafetensorsFile file, string name, TrainState<T> template, IReadOnlyList<string> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expectedSlots = template.Opt.Slots.Keys.ToList();
        if (!slots.SequenceEqual(expectedSlots, StringComparer.Ordinal))
            throw new CheckpointException(name, null, $"optimizer slots {EncodeSlots(slots)} in the file, but the optimizer has {EncodeSlots(expectedSlots)}");
        var expected = template.Params.Concat(OptTensors(template.Opt)).ToDictionary(kv => kv.Key, kv => kv.Value.Shape, StringComparer.Ordinal);
        foreach (var (tensor, shape) in expected.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!file.Tensors.TryGetValue(tensor, out var stored))
                throw new CheckpointException(name, tensor, $"missing; the model has it with shape {shape}");
            if (stored.Shape != shape)
                throw new CheckpointException(name, tensor, $"shape {stored.Shape} in the file, but the model expects {shape}");
        }
        foreach (var tensor in file.Tensors.Keys)
            if (!expected.ContainsKey(tensor))
                throw new CheckpointException(name, tensor, $"not part of the model ({expected.Count} tensors expected)");
    }

    private static void RequireDigest(MetadataReader meta, string key, string actual, string what)
    {
        if (!string.Equals(meta[key], actual, StringComparison.Ordinal))
            throw meta.Bad(key, $"the {what} have digest {actual}, not the recorded {CheckpointException.Excerpt(meta[key], 64)}: the file is damaged");
    }

    // Reads FunctionalNets' metadata entries strictly: present, in canonical form, or a CheckpointException naming the key.
    private sealed class MetadataReader(ImmutableSortedDictionary<string, string> metadata, string file)
    {
        public string this[string key] => metadata.TryGetValue(key, out var value)
            ? value
            : throw new CheckpointException(file, null, $"metadata has no '{key}' (not a FunctionalNets checkpoint?)");

        public CheckpointException Bad(string key, string problem) => new(file, null, $"metadata '{key}': {problem}");

        public long Integer(string key) =>
            long.TryParse(this[key], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Bad(key, $"'{CheckpointException.Excerpt(this[key])}' is not an integer");

        public Key Key(string key)
        {
            var words = this[key].Split(',');
            return words.Length == 2 && Word(words[0]) is { } k0 && Word(words[1]) is { } k1
                ? new Key(k0, k1)
                : throw Bad(key, $"'{CheckpointException.Excerpt(this[key])}' is not two 32-bit unsigned integers 'K0,K1'");
        }

        private static uint? Word(string text) => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : null;

        public IReadOnlyList<string> Slots(string key)
        {
            string[]? slots;
            try
            {
                slots = JsonSerializer.Deserialize(this[key], SlotsContext.Default.StringArray);
            }
            catch (JsonException ex)
            {
                throw Bad(key, $"not a JSON array of strings: {ex.Message}");
            }
            if (slots is null || slots.Any(s => s is null))
                throw Bad(key, "not a JSON array of strings");
            if (!slots.SequenceEqual(slots.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal), StringComparer.Ordinal))
                throw Bad(key, "the slot names are not distinct and in ordinal order");
            if (NestedSlots(slots) is var (outer, inner))
                throw Bad(key, $"slots '{CheckpointException.Excerpt(outer)}' and '{CheckpointException.Excerpt(inner)}' nest, so their tensor names are ambiguous");
            return slots;
        }
    }
}
