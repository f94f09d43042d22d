using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using FunctionalNets.IO;
using FunctionalNets.Randomness;
using FunctionalNets.Training;
using Xunit.Abstractions;

namespace FunctionalNets.Tests.IO;

/// <summary>
/// Mutated checkpoints (bit flips, truncation, edited lengths, offsets, dtypes, shapes, duplicate keys, invalid
/// UTF-8, deep nesting, garbage) must fail with <see cref="CheckpointException"/> and nothing else, quickly, and
/// without allocating far beyond the file's size; one that still reads must give back exactly the original state.
/// The count comes from <c>FNETS_FUZZ_COUNT</c> (default 1,000); every mutation is drawn from a fixed key.
/// </summary>
public partial class CheckpointFuzzTests(ITestOutputHelper output)
{
    private static int Count =>
        int.TryParse(Environment.GetEnvironmentVariable("FNETS_FUZZ_COUNT"), out var n) && n > 0 ? n : 1000;

    private sealed class Draws(Key key)
    {
        private uint counter;

        public int Below(int n) => (int)(key.Block(counter++, 0, 0, 0).Item1 % (uint)n);

        public ulong U64()
        {
            var (a, b, _, _) = key.Block(counter++, 0, 0, 0);
            return ((ulong)b << 32) | a;
        }

        public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
    }

    private static byte[] FileOf<T>(TrainState<T> state)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        using var stream = new MemoryStream();
        Safetensors.Write(stream, Checkpoint.Encode(state, new Dictionary<string, string> { ["config"] = "{\"vocab\": 11}" }));
        return stream.ToArray();
    }

    private static (int N, string Header) Split(byte[] file)
    {
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (n, Encoding.UTF8.GetString(file, 8, n));
    }

    // A file with a new header text and the old data, its length prefix set to match.
    private static byte[] WithHeader(byte[] file, byte[] header)
    {
        var (n, _) = Split(file);
        var result = new byte[8 + header.Length + file.Length - 8 - n];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        file.AsSpan(8 + n).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }

    private static byte[] WithHeader(byte[] file, string header) => WithHeader(file, Encoding.UTF8.GetBytes(header));

    // Replaces one randomly chosen match of pattern in the header with a replacement.
    private static byte[] ReplaceOne(byte[] file, Draws d, Regex pattern, Func<Match, string> replacement)
    {
        var (_, header) = Split(file);
        var matches = pattern.Matches(header);
        if (matches.Count == 0) return file;
        var m = matches[d.Below(matches.Count)];
        return WithHeader(file, header[..m.Index] + replacement(m) + header[(m.Index + m.Length)..]);
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    [GeneratedRegex("\"(F32|F64)\"")]
    private static partial Regex Dtypes();

    [GeneratedRegex("\\[[0-9,]*\\]")]
    private static partial Regex Arrays();

    [GeneratedRegex("\"[^\"]*\":\\{\"dtype\"")]
    private static partial Regex EntryKeys();

    [GeneratedRegex("\"fnets\\.[a-z_]+\":\"[^\"]*\"")]
    private static partial Regex FnetsEntries();

    private static readonly string[] Numbers =
        ["0", "1", "7", "4294967295", "4294967296", "2147483647", "18446744073709551615", "18446744073709551616",
         "99999999999999999999999999", "-1", "1.5", "1e3", "00"];

    private static readonly string[] DtypeNames = ["\"F16\"", "\"BF16\"", "\"I32\"", "\"I64\"", "\"F64\"", "\"F32\"", "\"U8\"", "\"\"", "\"f32\"", "32", "null"];

    private static readonly string[] ShapeArrays =
        ["[]", "[0]", "[4294967295,4294967295]", "[2147483647,2147483647,0]", "[65536,65536,65536,65536]",
         "[1,1,1,1,1,1,1,1]", "[[1]]", "[-3]", "{}", "null", "\"x\"", "[0,0]", "[1,2,3]"];

    private static readonly string[] MetadataValues =
        ["\"\"", "\"x\"", "\"-1\"", "\"99999999999999999999\"", "\"[\"", "\"[\\\"0/mu\\\",\\\"0/mu/x\\\"]\"", "\"1,2\"", "\"123\"", "5", "null", "{}"];

    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82]];

    private static (string Kind, byte[] File) Mutate(byte[] file, Draws d)
    {
        var (n, header) = Split(file);
        var copy = (byte[])file.Clone();
        switch (d.Below(15))
        {
            case 0:
                for (var flips = 1 + d.Below(8); flips > 0; flips--) copy[d.Below(copy.Length)] ^= (byte)(1 << d.Below(8));
                return ("bit flips", copy);
            case 1:
                for (var flips = 1 + d.Below(4); flips > 0; flips--) copy[8 + d.Below(n)] ^= (byte)(1 << d.Below(8));
                return ("header bit flips", copy);
            case 2:
                return ("truncation", file[..d.Below(file.Length)]);
            case 3:
                ulong[] lengths = [0, (ulong)n - 1, (ulong)n + 1, (ulong)n + 8, (ulong)file.Length, 100_000_001, d.U64(), ulong.MaxValue, (ulong)long.MaxValue];
                BinaryPrimitives.WriteUInt64LittleEndian(copy, d.Pick(lengths));
                return ("header length", copy);
            case 4:
                return ("number", ReplaceOne(file, d, Digits(), _ => d.Pick(Numbers)));
            case 5:
                return ("dtype", ReplaceOne(file, d, Dtypes(), _ => d.Pick(DtypeNames)));
            case 6:
                return ("shape or offsets", ReplaceOne(file, d, Arrays(), _ => d.Pick(ShapeArrays)));
            case 7:
                var names = EntryKeys().Matches(header);
                return ("duplicate key", ReplaceOne(file, d, EntryKeys(), _ => names[d.Below(names.Count)].Value));
            case 8:
                var at = 8 + d.Below(n);
                return ("invalid UTF-8", WithHeader(file, [.. file.AsSpan(8, at - 8), .. d.Pick(BadUtf8), .. file.AsSpan(at, n - (at - 8))]));
            case 9:
                var depth = 4 + d.Below(100_000);
                return ("deep nesting", WithHeader(file, $"{{\"deep\":{new string('[', depth)}{new string(']', depth)},{header[1..]}"));
            case 10:
                var garbage = new byte[d.Below(300)];
                for (var i = 0; i < garbage.Length; i++) garbage[i] = (byte)d.Below(256);
                if (garbage.Length >= 8 && d.Below(2) == 0) BinaryPrimitives.WriteUInt64LittleEndian(garbage, (ulong)d.Below(garbage.Length));
                return ("garbage", garbage);
            case 11:
                return ("metadata value", ReplaceOne(file, d, FnetsEntries(), m => $"{m.Value[..(m.Value.IndexOf(':') + 1)]}{d.Pick(MetadataValues)}"));
            case 12:
                var cut = 8 + n + d.Below(file.Length - 8 - n);
                return ("data length", d.Below(2) == 0
                    ? [.. file.AsSpan(0, cut), .. new byte[1 + d.Below(16)], .. file.AsSpan(cut)]
                    : [.. file.AsSpan(0, cut), .. file.AsSpan(Math.Min(file.Length, cut + 1 + d.Below(16)))]);
            case 13:
                var (x, y) = (8 + n + 4 * d.Below((file.Length - 8 - n) / 4), 8 + n + 4 * d.Below((file.Length - 8 - n) / 4));
                for (var i = 0; i < 4; i++) (copy[x + i], copy[y + i]) = (copy[y + i], copy[x + i]);
                return ("swapped data words", copy);
            default:
                return ("padding", WithHeader(file, header.TrimEnd(' ') + d.Pick(new[] { "\0", "\t", "  \0 ", "x", "\n" })));
        }
    }

    private void Fuzz<T>(TrainState<T> state, Key key, int count)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var original = FileOf(state);
        var failures = new List<string>();
        var (rejected, maxAllocated, slowest) = (0, 0L, TimeSpan.Zero);
        var kinds = new SortedDictionary<string, (int Tried, int Rejected)>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var (kind, mutated) = Mutate(original, new Draws(key.FoldIn(i)));
            var template = i % 2 == 0 ? state : null;
            var (tried, kindRejected) = kinds.GetValueOrDefault(kind);
            kinds[kind] = (tried + 1, kindRejected);
            var clock = Stopwatch.StartNew();
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var read = Checkpoint.Decode(Safetensors.Read(new MemoryStream(mutated, writable: false), "fuzz.safetensors"), "fuzz.safetensors", template);
                // A mutation the reader accepts changed nothing that matters: the state must be the original, bit for bit.
                if (read.State.Params.Digest() != state.Params.Digest() || read.State.Step != state.Step || read.State.Key != state.Key ||
                    read.State.Cursor != state.Cursor || !read.State.Opt.Equals(state.Opt))
                    failures.Add($"#{i} {kind}: read back a different state");
            }
            catch (CheckpointException ex)
            {
                rejected++;
                kinds[kind] = (kinds[kind].Tried, kinds[kind].Rejected + 1);
                if (ex.Message.Contains('\n') || !ex.Message.StartsWith("fuzz.safetensors", StringComparison.Ordinal))
                    failures.Add($"#{i} {kind}: message not one line naming the file: {ex.Message}");
            }
            catch (Exception ex)
            {
                failures.Add($"#{i} {kind}: {ex.GetType().Name}: {ex.Message}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (allocated > 8L * mutated.Length + 256 * 1024)
                failures.Add($"#{i} {kind}: allocated {allocated} bytes for a file of {mutated.Length}");
        }
        output.WriteLine($"{count} mutations of a {original.Length}-byte file: {rejected} rejected; slowest {slowest.TotalMilliseconds:F1} ms; at most {maxAllocated} bytes allocated by one read");
        foreach (var (kind, (tried, kindRejected)) in kinds) output.WriteLine($"  {kind,-20} {kindRejected,6} of {tried,6} rejected");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.True(rejected > count * 3 / 4, $"only {rejected} of {count} mutations were rejected");
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"the slowest read took {slowest}");
    }

    [Fact]
    public void Mutated_checkpoints_of_a_small_double_state_fail_only_with_CheckpointException() =>
        Fuzz(IoFixtures.Small, Key.FromSeed(0xF022), Count);

    [Fact]
    public void Mutated_checkpoints_of_a_trained_GPT_fail_only_with_CheckpointException() =>
        Fuzz(IoFixtures.Trained, Key.FromSeed(0xF023), Math.Max(1, Count / 4));
}
