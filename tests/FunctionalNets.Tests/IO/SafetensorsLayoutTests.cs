using System.Buffers.Binary;
using System.Text;
using FunctionalNets.IO;
using FunctionalNets.Tensors;

namespace FunctionalNets.Tests.IO;

public class SafetensorsLayoutTests
{
    private static byte[] Bytes(SafetensorsFile file)
    {
        using var stream = new MemoryStream();
        Safetensors.Write(stream, file);
        return stream.ToArray();
    }

    private static SafetensorsFile Read(byte[] bytes) => Safetensors.Read(new MemoryStream(bytes), "memory");

    [Fact]
    public void Write_lays_out_length_header_padding_and_little_endian_data_byte_for_byte()
    {
        var file = SafetensorsFile.Of(
            [new("b", StoredTensor.Of(Tensor.Scalar(-1L))), new("a", StoredTensor.Of(Tensor.Vector(1.5f, -2f, 3.25f)))],
            [new("k", "v")]);
        // The format by hand: metadata first, then the tensors by name, offsets packed from 0, padded with spaces.
        const string json = """{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"I64","shape":[],"data_offsets":[12,20]}}""";
        var padded = json + new string(' ', (8 - json.Length % 8) % 8);
        byte[] data =
        [
            0x00, 0x00, 0xC0, 0x3F, // 1.5f   = 0x3FC00000
            0x00, 0x00, 0x00, 0xC0, // -2f    = 0xC0000000
            0x00, 0x00, 0x50, 0x40, // 3.25f  = 0x40500000
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // -1L
        ];
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded.Length);
        Assert.Equal([.. length, .. Encoding.UTF8.GetBytes(padded), .. data], Bytes(file));
    }

    [Fact]
    public void Checkpoint_file_passes_an_independent_reader_field_by_field()
    {
        var state = IoFixtures.Trained;
        var bytes = Bytes(Checkpoint.Encode(state, new Dictionary<string, string> { ["tokenizer"] = "chars" }));
        var layout = IndependentReader.Parse(bytes);

        Assert.Equal(0UL, layout.HeaderLength % 8);
        Assert.StartsWith("{", layout.HeaderText);
        var end = layout.HeaderText.TrimEnd(' ').Length;
        Assert.EndsWith("}", layout.HeaderText[..end]);
        Assert.True(end > layout.HeaderText.Length - 8, "padding is shorter than 8 bytes");

        // Entries in name order hold contiguous data from 0 to the end of the file.
        var names = layout.Entries.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(names, layout.Entries.OrderBy(e => e.Value.Begin).Select(e => e.Key));
        long offset = 0;
        foreach (var name in names)
        {
            var e = layout.Entries[name];
            Assert.Equal(offset, e.Begin);
            Assert.Equal("F32", e.Dtype);
            Assert.Equal(4 * e.Shape.Aggregate(1L, (p, d) => p * d), e.End - e.Begin);
            offset = e.End;
        }
        Assert.Equal(layout.Data.Length, offset);

        // Parameters under their own paths, moments under opt/<slot>/<path>, values bit for bit.
        var expected = state.Params.Select(kv => (kv.Key, kv.Value))
            .Concat(state.Opt.Slots.SelectMany(s => s.Value.Select(kv => ($"opt/{s.Key}/{kv.Key}", kv.Value))))
            .ToList();
        Assert.Equal(expected.Select(x => x.Item1).Order(StringComparer.Ordinal), names);
        Assert.Contains("blocks/0/attn/wq/w", names);
        Assert.Contains("opt/0/mu/blocks/0/attn/wq/w", names);
        foreach (var (name, tensor) in expected)
        {
            Assert.Equal(tensor.Shape.Select(d => (long)d), layout.Entries[name].Shape);
            Assert.Equal(tensor.Span.ToArray().Select(BitConverter.SingleToInt32Bits),
                IndependentReader.Floats(layout.BytesOf(name)).Select(BitConverter.SingleToInt32Bits));
        }

        Assert.Equal("chars", layout.Metadata["tokenizer"]);
        Assert.Equal("3", layout.Metadata["fnets.step"]);
        Assert.Equal("3", layout.Metadata["fnets.cursor"]);
        Assert.Equal("3", layout.Metadata["fnets.opt_step"]);
        Assert.Equal("1", layout.Metadata["fnets.format"]);
        Assert.Equal($"{state.Key.K0},{state.Key.K1}", layout.Metadata["fnets.key"]);
        Assert.Equal("""["0/mu","0/nu"]""", layout.Metadata["fnets.opt_slots"]);
        Assert.Equal(state.Params.Digest(), layout.Metadata["fnets.params_digest"]);
    }

    [Fact]
    public void Identical_states_give_identical_bytes()
    {
        var a = Bytes(Checkpoint.Encode(IoFixtures.Trainer.Fit(IoFixtures.Initial, Enumerable.Range(0, 2))));
        var b = Bytes(Checkpoint.Encode(IoFixtures.Trainer.Fit(IoFixtures.Initial, Enumerable.Range(0, 2))));
        Assert.Equal(a, b);
        // The same tensors and metadata given in another order lay out the same bytes too.
        var file = Read(a);
        Assert.Equal(a, Bytes(SafetensorsFile.Of(file.Tensors.Reverse(), file.Metadata.Reverse())));
    }

    [Fact]
    public void Every_dtype_and_edge_shape_round_trips()
    {
        var file = SafetensorsFile.Of([
            new("f32", StoredTensor.Of(Tensor.Matrix(new[] { 1f, float.NegativeInfinity }, [float.Epsilon, -0f]))),
            new("f64", StoredTensor.Of(Tensor.Vector(double.MaxValue, -0.0, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001)))),
            new("i32", StoredTensor.Of(Tensor.Vector(int.MinValue, 0, int.MaxValue))),
            new("i64", StoredTensor.Of(Tensor.Vector(long.MinValue, long.MaxValue))),
            new("scalar", StoredTensor.Of(Tensor.Scalar(2.5f))),
            new("empty", StoredTensor.Of(Tensor.Zeros<float>([0, 3]))),
            new("unicode/é✓", StoredTensor.Of(Tensor.Vector(1.0)))],
            [new("config", """{"d": 16, "note": "quotes \" and\nnewlines"}""")]);
        var back = Read(Bytes(file));
        Assert.Equal(file.Metadata, back.Metadata);
        Assert.Equal(file.Tensors.Keys, back.Tensors.Keys);
        Assert.True(back.Tensors["f32"].As<float>().BitEquals(file.Tensors["f32"].As<float>()));
        Assert.True(back.Tensors["f64"].As<double>().BitEquals(file.Tensors["f64"].As<double>()));
        Assert.Equal(file.Tensors["i32"].As<int>(), back.Tensors["i32"].As<int>());
        Assert.Equal(file.Tensors["i64"].As<long>(), back.Tensors["i64"].As<long>());
        Assert.Equal(Shape.Scalar, back.Tensors["scalar"].Shape);
        Assert.Equal([0, 3], back.Tensors["empty"].Shape);
        Assert.Equal(Dtype.F64, back.Tensors["unicode/é✓"].Dtype);
    }

    [Fact]
    public void A_file_with_no_tensors_and_no_metadata_is_the_empty_object()
    {
        var bytes = Bytes(SafetensorsFile.Of([]));
        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', .. Enumerable.Repeat((byte)' ', 6)], bytes);
        var back = Read(bytes);
        Assert.Empty(back.Tensors);
        Assert.Empty(back.Metadata);
    }

    [Fact]
    public void Asking_for_another_element_type_names_both()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => StoredTensor.Of(Tensor.Vector(1.0)).As<float>());
        Assert.Contains("F64", ex.Message);
        Assert.Contains("Single", ex.Message);
    }

    [Fact]
    public void Names_and_metadata_with_a_lone_surrogate_are_refused_rather_than_altered()
    {
        var one = StoredTensor.Of(Tensor.Vector(1f));
        Assert.Contains("tensor name", Assert.Throws<ArgumentException>(() => Bytes(SafetensorsFile.Of([new("w\ud800", one)]))).Message);
        Assert.Contains("metadata value of 'k'", Assert.Throws<ArgumentException>(() => Bytes(SafetensorsFile.Of([], [new("k", "\udc00")]))).Message);
    }

    [Fact]
    public void Writing_a_tensor_named_like_the_metadata_is_an_error() =>
        Assert.Contains("__metadata__", Assert.Throws<ArgumentException>(() =>
            Bytes(SafetensorsFile.Of([new("__metadata__", StoredTensor.Of(Tensor.Vector(1f)))]))).Message);
}
