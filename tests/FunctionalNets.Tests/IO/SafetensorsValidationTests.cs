using System.Buffers.Binary;
using System.Text;
using FunctionalNets.IO;

namespace FunctionalNets.Tests.IO;

/// <summary>One hand-made bad file per rule of the reader; each must fail with a one-line message naming the file and the fault.</summary>
public class SafetensorsValidationTests
{
    private const string Name = "bad.safetensors";

    // A file from header text and data, with the true header length unless one is given.
    private static byte[] Raw(string header, int dataBytes = 0, ulong? length = null) => Raw(Encoding.UTF8.GetBytes(header), dataBytes, length);

    private static byte[] Raw(byte[] header, int dataBytes = 0, ulong? length = null)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, length ?? (ulong)header.Length);
        return [.. prefix, .. header, .. new byte[dataBytes]];
    }

    private static CheckpointException Fails(byte[] file, params string[] fragments)
    {
        var ex = Assert.Throws<CheckpointException>(() => Safetensors.Read(new MemoryStream(file), Name));
        Assert.StartsWith(Name, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
        return ex;
    }

    private static string Entry(string name, string dtype, string shape, ulong begin, ulong end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void A_valid_hand_made_file_reads_even_unpadded_with_a_zero_size_tensor_sharing_an_offset()
    {
        var file = Safetensors.Read(new MemoryStream(Raw($"{{{Entry("w", "F32", "[2]", 0, 8)},{Entry("z", "F32", "[0]", 0, 0)}}}", 8)), Name);
        Assert.Equal(["w", "z"], file.Tensors.Keys);
    }

    [Fact]
    public void File_shorter_than_the_length_prefix_fails() => Fails([1, 0, 0], "3 bytes", "fewer than the 8");

    [Fact]
    public void Header_length_over_100_MB_fails() => Fails(Raw("{}", length: 100_000_001), "100000001", "limit");

    [Fact]
    public void Header_length_past_the_end_of_the_file_fails() => Fails(Raw("{}", length: 3), "header length 3 runs past the end");

    [Fact]
    public void Header_length_near_2_to_64_fails_without_overflow() => Fails(Raw("{}", length: ulong.MaxValue), "18446744073709551615", "limit");

    [Theory]
    [InlineData(" {}")]
    [InlineData("[]")]
    [InlineData("")]
    public void Header_not_starting_with_a_brace_fails(string header) => Fails(Raw(header), "does not start with '{'");

    [Fact]
    public void Invalid_utf8_in_the_header_fails() =>
        Fails(Raw([.. "{\"__metadata__\":{\"k\":\""u8, 0xC3, 0x28, .. "\"}}"u8]), "not valid UTF-8");

    [Theory]
    [InlineData("{}x")]
    [InlineData("{}\0\0\0\0\0\0")]
    [InlineData("{\"a\":}")]
    public void Malformed_json_or_nul_padding_fails(string header) => Fails(Raw(header), "not valid JSON");

    [Fact]
    public void Duplicate_tensor_names_fail() =>
        Fails(Raw($"{{{Entry("w", "F32", "[1]", 0, 4)},{Entry("w", "F32", "[1]", 4, 8)}}}", 8), "not valid JSON", "w");

    [Fact]
    public void Duplicate_metadata_keys_fail() => Fails(Raw("""{"__metadata__":{"k":"a","k":"b"}}"""), "not valid JSON");

    [Fact]
    public void Duplicate_fields_in_an_entry_fail() =>
        Fails(Raw("""{"w":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}""", 4), "not valid JSON");

    [Fact]
    public void Deeply_nested_json_fails_quickly()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        Fails(Raw($$$"""{"w":{"dtype":"F32","shape":{{{deep}}},"data_offsets":[0,4]}}""", 4), "not valid JSON", "levels deep");
    }

    [Theory]
    [InlineData("\"BF16\"", "BF16")]
    [InlineData("\"f32\"", "f32")]
    [InlineData("4", "4")]
    public void Unknown_dtypes_fail(string dtype, string shown) =>
        Fails(Raw($$$"""{"w":{"dtype":{{{dtype}}},"shape":[1],"data_offsets":[0,4]}}""", 4), "tensor 'w'", shown, "not one of F32, F64, I32, I64");

    [Theory]
    [InlineData("[-1]")]
    [InlineData("[1.0]")]
    [InlineData("[1e0]")]
    [InlineData("[\"1\"]")]
    public void Shapes_must_be_non_negative_integers(string shape) =>
        Fails(Raw($$$"""{"w":{"dtype":"F32","shape":{{{shape}}},"data_offsets":[0,4]}}""", 4), "tensor 'w'", "shape holds", "not a non-negative integer");

    [Fact]
    public void Shape_whose_element_count_overflows_fails_before_allocating() =>
        Fails(Raw(Entry("w", "F64", "[4294967296,4294967296,4294967296,0]", 0, 0).Insert(0, "{") + "}"), "tensor 'w'", "too large");

    [Fact]
    public void Shape_past_the_largest_array_fails() =>
        Fails(Raw("{" + Entry("w", "F32", "[65536,65536]", 0, 0) + "}"), "tensor 'w'", "too large");

    [Fact]
    public void Shape_with_a_zero_after_huge_dimensions_fails_rather_than_overflowing() =>
        Fails(Raw("{" + Entry("w", "F32", "[100000,100000,0]", 0, 0) + "}"), "tensor 'w'", "too large");

    [Fact]
    public void Byte_length_must_equal_shape_times_dtype_size() =>
        Fails(Raw("{" + Entry("w", "F64", "[2,3]", 0, 24) + "}", 24), "tensor 'w'", "F64 [2, 3] needs 48 bytes", "hold 24");

    [Fact]
    public void Offsets_must_be_two_numbers() =>
        Fails(Raw("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", 8), "tensor 'w'", "3 numbers, not 2");

    [Fact]
    public void Offsets_must_not_end_before_they_begin() =>
        Fails(Raw("{" + Entry("w", "F32", "[1]", 8, 4) + "}", 8), "tensor 'w'", "end before they begin");

    [Fact]
    public void Offsets_past_the_data_section_fail() =>
        Fails(Raw("{" + Entry("w", "F32", "[1]", 18446744073709551608, 18446744073709551612) + "}", 4), "tensor 'w'", "past the end of the data section");

    [Fact]
    public void Data_must_start_at_offset_0() =>
        Fails(Raw("{" + Entry("w", "F32", "[1]", 4, 8) + "}", 8), "tensor 'w'", "gap", "ends at 0");

    [Fact]
    public void Gaps_between_tensors_fail() =>
        Fails(Raw($"{{{Entry("a", "F32", "[1]", 0, 4)},{Entry("b", "F32", "[1]", 8, 12)}}}", 12), "tensor 'b'", "gap", "ends at 4");

    [Fact]
    public void Overlapping_tensors_fail() =>
        Fails(Raw($"{{{Entry("a", "F32", "[2]", 0, 8)},{Entry("b", "F32", "[2]", 4, 12)}}}", 12), "tensor 'b'", "overlap", "ends at 8");

    [Fact]
    public void Trailing_bytes_after_the_last_tensor_fail() =>
        Fails(Raw("{" + Entry("w", "F32", "[1]", 0, 4) + "}", 8), "cover 4 bytes", "holds 8");

    [Fact]
    public void Data_without_tensors_fails() => Fails(Raw("{}", 4), "cover 0 bytes", "holds 4");

    [Fact]
    public void Metadata_must_be_an_object() => Fails(Raw("""{"__metadata__":["k"]}"""), "__metadata__ is a JSON Array");

    [Fact]
    public void Metadata_values_must_be_strings() => Fails(Raw("""{"__metadata__":{"n":3}}"""), "entry 'n' is a JSON Number, not a string");

    [Fact]
    public void Unknown_and_missing_entry_fields_fail()
    {
        Fails(Raw("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}""", 4), "tensor 'w'", "unknown field 'extra'");
        Fails(Raw("""{"w":{"dtype":"F32","data_offsets":[0,4]}}""", 4), "tensor 'w'", "no shape");
        Fails(Raw("""{"w":{"shape":[1],"data_offsets":[0,4]}}""", 4), "tensor 'w'", "no dtype");
        Fails(Raw("""{"w":{"dtype":"F32","shape":[1]}}""", 4), "tensor 'w'", "no data_offsets");
        Fails(Raw("""{"w":7}""", 4), "tensor 'w'", "JSON Number, not an object");
    }

    [Fact]
    public void Tensor_names_with_control_characters_stay_on_one_line()
    {
        var ex = Fails(Raw("{" + Entry("a\\nb", "F32", "[2]", 0, 4) + "}", 4), "needs 8 bytes");
        Assert.Equal("a\nb", ex.Tensor);
        Assert.Contains("a\\u000ab", ex.Message);
    }

    [Fact]
    public void Missing_file_is_a_typed_error_and_a_failed_Fin()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fnets-missing-{Environment.ProcessId}.safetensors");
        Assert.StartsWith(path, Assert.Throws<CheckpointException>(() => Safetensors.Read(path)).Message);
        Assert.True(Safetensors.TryRead(path).IsFail);
    }
}
