using System.Collections.Immutable;
using FunctionalNets.IO;
using FunctionalNets.Optim;
using FunctionalNets.Parameters;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.IO;

public class CheckpointTests
{
    private const string Name = "ckpt.safetensors";

    private static void AssertSameBits<T>(TrainState<T> expected, TrainState<T> actual)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal((expected.Step, expected.Key, expected.Cursor, expected.Opt.Step), (actual.Step, actual.Key, actual.Cursor, actual.Opt.Step));
        Assert.Equal(expected.Params.Digest(), actual.Params.Digest());
        Assert.Equal(expected.Opt.Slots.Keys, actual.Opt.Slots.Keys);
        foreach (var (slot, tree) in expected.Opt.Slots)
            Assert.Equal(tree.Digest(), actual.Opt.Slots[slot].Digest());
    }

    private static Checkpoint<T> Decode<T>(SafetensorsFile file, TrainState<T>? template = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => Checkpoint.Decode(file, Name, template);

    private static CheckpointException Fails<T>(SafetensorsFile file, TrainState<T>? template, params string[] fragments)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var ex = Assert.Throws<CheckpointException>(() => Decode(file, template));
        Assert.StartsWith(Name, ex.Message);
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
        return ex;
    }

    [Fact]
    public void A_trained_model_round_trips_through_a_file_bit_for_bit()
    {
        using var dir = IoFixtures.Scratch();
        var path = dir.File("step-0000003.safetensors");
        var state = IoFixtures.Trained;
        Checkpoint.Write(path, state, new Dictionary<string, string> { ["config"] = "{\"d\":16}" });

        var read = Checkpoint.Read<float>(path);
        AssertSameBits(state, read.State);
        AssertSameBits(state, Checkpoint.Read(path, template: IoFixtures.Initial).State);
        foreach (var (p, t) in state.Params) Assert.True(read.State.Params[p].BitEquals(t), p);
        Assert.Equal("{\"d\":16}", read.Extra["config"]);
        Assert.Single(read.Extra);
        Assert.Equal(Checkpoint.LibraryVersion, read.Metadata[CheckpointKeys.Library]);
    }

    [Fact]
    public void Training_resumed_from_a_checkpoint_continues_exactly_as_training_straight_through()
    {
        using var dir = IoFixtures.Scratch();
        var straight = IoFixtures.Trainer.Fit(IoFixtures.Initial, Enumerable.Range(0, 5));
        Checkpoint.Write(dir.File("c.safetensors"), IoFixtures.Trainer.Fit(IoFixtures.Initial, Enumerable.Range(0, 3)));
        var resumed = IoFixtures.Trainer.Fit(Checkpoint.Read(dir.File("c.safetensors"), IoFixtures.Initial).State, Enumerable.Range(3, 2));
        AssertSameBits(straight, resumed);
    }

    [Fact]
    public void Doubles_with_NaN_negative_zero_and_an_empty_slot_round_trip()
    {
        var state = IoFixtures.Small;
        var read = Decode<double>(Checkpoint.Encode(state));
        AssertSameBits(state, read.State);
        Assert.Empty(read.State.Opt["empty"]);
        Assert.True(double.IsNegative(read.State.Params["dense/b"].Span[0]));
        AssertSameBits(state, Decode(Checkpoint.Encode(state), template: state).State);
    }

    [Fact]
    public void TryRead_returns_the_checkpoint_or_the_error_as_a_value()
    {
        using var dir = IoFixtures.Scratch();
        Checkpoint.Write(dir.File("ok.safetensors"), IoFixtures.Small);
        Assert.Equal(7, Checkpoint.TryRead<double>(dir.File("ok.safetensors")).Match(c => c.State.Step, _ => -1));
        var error = Checkpoint.TryRead<double>(dir.File("absent.safetensors")).Match(_ => "", e => e.Message);
        Assert.Contains("absent.safetensors", error);
    }

    [Fact]
    public void Encoding_rejects_reserved_keys_and_ambiguous_names()
    {
        Assert.Contains("fnets.step", Assert.Throws<ArgumentException>(() =>
            Checkpoint.Encode(IoFixtures.Small, new Dictionary<string, string> { ["fnets.step"] = "1" })).Message);
        var optPath = IoFixtures.Small with { Params = IoFixtures.Small.Params.With("opt/x", Tensor.Vector(1.0)) };
        Assert.Contains("opt/x", Assert.Throws<ArgumentException>(() => Checkpoint.Encode(optPath)).Message);
        var nested = IoFixtures.Small with { Opt = IoFixtures.Small.Opt.With("trace/inner", Params<double>.Empty) };
        Assert.Contains("'trace' and 'trace/inner'", Assert.Throws<ArgumentException>(() => Checkpoint.Encode(nested)).Message);
    }

    [Fact]
    public void Template_mismatches_name_the_tensor()
    {
        var file = Checkpoint.Encode(IoFixtures.Small);
        var template = IoFixtures.Small;
        Fails(file, template with { Params = template.Params.With("dense/extra", Tensor.Vector(1.0)) }, "tensor 'dense/extra'", "missing", "[1]");
        Fails(file, template with { Params = template.Params.With("dense/b", Tensor.Vector(1.0, 2.0, 3.0)) }, "tensor 'dense/b'", "shape [2] in the file", "expects [3]");
        Fails(file, template with { Opt = template.Opt.With("trace", Params<double>.Empty) }, "tensor 'opt/trace/dense/w'", "not part of the model");
        Fails(file, template with { Opt = template.Opt.With("other", Params<double>.Empty) }, "optimizer slots", "\"other\"");
    }

    [Fact]
    public void Reading_with_another_element_type_names_the_tensor_and_both_dtypes() =>
        Fails<float>(Checkpoint.Encode(IoFixtures.Small), null, "tensor 'dense/b'", "dtype F64", "read as F32");

    [Fact]
    public void A_flipped_data_bit_fails_the_digest()
    {
        using var dir = IoFixtures.Scratch();
        var path = dir.File("c.safetensors");
        Checkpoint.Write(path, IoFixtures.Small);
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x10; // inside the last tensor's data: the layout stays valid
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Read<double>(path));
        Assert.Contains("digest", ex.Message);
        Assert.Contains("damaged", ex.Message);
    }

    // The file with one metadata entry changed and the metadata digest recomputed as documented: SHA-256 over each
    // other entry in ordinal key order, key then value, each as an int32 little-endian byte length and UTF-8 bytes.
    private static SafetensorsFile Edit(SafetensorsFile file, string key, string value)
    {
        var metadata = file.Metadata.SetItem(key, value);
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
            foreach (var (k, v) in metadata.Where(kv => kv.Key != "fnets.metadata_digest").OrderBy(kv => kv.Key, StringComparer.Ordinal))
                foreach (var text in new[] { k, v })
                {
                    var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
                    writer.Write(utf8.Length);
                    writer.Write(utf8);
                }
        var digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes.ToArray())).ToLowerInvariant();
        return file with { Metadata = metadata.SetItem("fnets.metadata_digest", digest) };
    }

    [Fact]
    public void Edited_metadata_fails_the_metadata_digest()
    {
        var file = Checkpoint.Encode(IoFixtures.Small, new Dictionary<string, string> { ["config"] = "{\"d\":16}" });
        Fails<double>(file with { Metadata = file.Metadata.SetItem(CheckpointKeys.Step, "6") }, null, "fnets.metadata_digest", "damaged");
        Fails<double>(file with { Metadata = file.Metadata.SetItem("config", "{\"d\":32}") }, null, "fnets.metadata_digest", "damaged");
        Assert.Equal(6, Decode<double>(Edit(file, CheckpointKeys.Step, "6")).State.Step);
    }

    [Theory]
    [InlineData(CheckpointKeys.Format, "2", "format version 2")]
    [InlineData(CheckpointKeys.KeyStream, "9", "random stream version 9")]
    [InlineData(CheckpointKeys.Step, "seven", "'seven' is not an integer")]
    [InlineData(CheckpointKeys.Key, "1,-2", "not two 32-bit unsigned integers")]
    [InlineData(CheckpointKeys.Key, "1,2,3", "not two 32-bit unsigned integers")]
    [InlineData(CheckpointKeys.OptSlots, "[\"a\",", "not a JSON array of strings")]
    [InlineData(CheckpointKeys.OptSlots, "[\"trace\",\"empty\"]", "not distinct and in ordinal order")]
    [InlineData(CheckpointKeys.OptSlots, "[\"empty\",\"empty/x\",\"trace\"]", "'empty' and 'empty/x' nest")]
    [InlineData(CheckpointKeys.OptSlots, "[\"empty\"]", "tensor 'opt/trace/dense/w'", "none of the 1 optimizer slots")]
    [InlineData(CheckpointKeys.OptDigest, "00", "the optimizer tensors have digest")]
    public void Bad_metadata_is_named(string key, string value, params string[] fragments)
    {
        Fails<double>(Edit(Checkpoint.Encode(IoFixtures.Small), key, value), null, fragments);
    }

    [Fact]
    public void A_file_without_FunctionalNets_metadata_is_not_a_checkpoint()
    {
        var file = SafetensorsFile.Of([new("w", StoredTensor.Of(Tensor.Vector(1.0)))]);
        Fails<double>(file, null, "no 'fnets.format'", "not a FunctionalNets checkpoint");
    }

    [Fact]
    public void Optimizer_state_of_a_chain_keeps_its_slot_names()
    {
        var chain = Optimizer.Chain(Optimizer.ClipByGlobalNorm<double>(1.0), Optimizer.Momentum<double>(0.1));
        var state = TrainState<double>.Start(IoFixtures.Small.Params, chain, Key.FromSeed(5));
        var read = Decode<double>(Checkpoint.Encode(state)).State;
        Assert.Equal(state.Opt.Slots.Keys, read.Opt.Slots.Keys);
        Assert.True(state.Opt.Equals(read.Opt));
        Assert.Equal(ImmutableSortedDictionary<string, string>.Empty, Decode<double>(Checkpoint.Encode(state)).Extra);
    }
}
