using FunctionalNets.Text;

namespace FunctionalNets.Tests.Text;

public sealed class TextSourceTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("fnets-text-");

    public void Dispose() => dir.Delete(recursive: true);

    private string WriteFile(string name, params byte[] bytes)
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Failure(string path) => TextSource.Read(path).Match(_ => "", e => e.Message);

    [Fact]
    public void Reads_utf8_and_records_the_sha256_of_the_bytes()
    {
        var path = WriteFile("abc.txt", "abc"u8.ToArray());
        var source = TextSource.Read(path).ThrowIfFail();
        Assert.Equal("abc", source.Text);
        Assert.Equal(path, source.Name);
        // FIPS 180-2's test vector for "abc".
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", source.Sha256);
    }

    [Fact]
    public void Decodes_multibyte_scalars_and_drops_a_byte_order_mark()
    {
        // "é😀" in UTF-8 is C3 A9 F0 9F 98 80.
        Assert.Equal("é😀", TextSource.Read(WriteFile("e.txt", 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80)).ThrowIfFail().Text);
        Assert.Equal("hi", TextSource.Read(WriteFile("bom.txt", 0xEF, 0xBB, 0xBF, 0x68, 0x69)).ThrowIfFail().Text);
    }

    [Theory]
    [InlineData(new byte[] { 0x41, 0x42, 0xFF, 0x43 }, 2, "0xFF")]              // a byte that never occurs in UTF-8
    [InlineData(new byte[] { 0xC3, 0xA9, 0xE2, 0x82, 0x41 }, 2, "0xE2 0x82")]   // a 3-byte sequence cut short by 'A'
    [InlineData(new byte[] { 0x68, 0xC3 }, 1, "0xC3")]                          // truncated at the end of the file
    [InlineData(new byte[] { 0xC0, 0xAF }, 0, "0xC0")]                          // overlong '/'
    [InlineData(new byte[] { 0x61, 0xED, 0xA0, 0x80 }, 1, "0xED")]              // an encoded surrogate
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x41, 0xFF }, 4, "0xFF")]        // offsets count the byte-order mark
    public void Invalid_utf8_names_the_file_and_the_offset_of_the_first_bad_byte(byte[] bytes, int offset, string shown)
    {
        var path = WriteFile("bad.txt", bytes);
        var message = Failure(path);
        Assert.Contains($"'{path}'", message);
        Assert.Contains($"byte offset {offset} ", message);
        Assert.Contains($"({shown})", message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Missing_empty_and_directory_paths_are_one_line_errors()
    {
        var missing = Path.Combine(dir.FullName, "nope.txt");
        Assert.Equal($"text file '{missing}' does not exist", Failure(missing));
        var empty = WriteFile("empty.txt");
        Assert.Equal($"text file '{empty}' is empty", Failure(empty));
        Assert.Equal($"text file '{dir.FullName}' is a directory", Failure(dir.FullName));
        Assert.Throws<TextDataException>(() => TextSource.Read(missing).ThrowIfFail());
    }

    [Fact]
    public void Text_made_in_memory_is_digested_as_utf8() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", TextSource.FromText("mem", "abc").Sha256);
}
