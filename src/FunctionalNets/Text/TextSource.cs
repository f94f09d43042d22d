using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using LanguageExt;

namespace FunctionalNets.Text;

/// <summary>A training text with where it came from and the SHA-256 of its bytes (for a run log's header).</summary>
/// <param name="Name">The file path, or a name for text made in memory.</param>
/// <param name="Text">The decoded text (a leading UTF-8 byte-order mark removed).</param>
/// <param name="Sha256">SHA-256 of the source bytes, lowercase hex.</param>
public sealed record TextSource(string Name, string Text, string Sha256)
{
    /// <summary>
    /// The file at <paramref name="path"/> decoded as strict UTF-8; a missing, unreadable or empty file, or bytes that
    /// are not UTF-8, fail with a one-line <see cref="TextDataException"/> naming the file.
    /// </summary>
    /// <remarks>
    /// Invalid UTF-8 names the byte offset of the first ill-formed sequence and its bytes; nothing is replaced with
    /// U+FFFD, because a silently altered corpus would train a model on characters nobody wrote.
    /// </remarks>
    public static Fin<TextSource> Read(string path) => TextFin.Catch(() => FromBytes(path, ReadBytes(path)));

    /// <summary>Text made in memory, named <paramref name="name"/>; the digest is over its UTF-8 bytes.</summary>
    public static TextSource FromText(string name, string text) => new(name, text, Digest(Encoding.UTF8.GetBytes(text)));

    /// <summary>Prints the name, the length and the digest, never the whole text.</summary>
    public override string ToString() => $"{Name} ({Text.Length} chars, sha256 {Sha256})";

    private static byte[] ReadBytes(string path)
    {
        if (Directory.Exists(path)) throw new TextDataException($"text file '{path}' is a directory");
        if (!File.Exists(path)) throw new TextDataException($"text file '{path}' does not exist");
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TextDataException($"text file '{path}' cannot be read: {e.Message}");
        }
    }

    private static TextSource FromBytes(string path, byte[] bytes)
    {
        if (bytes.Length == 0) throw new TextDataException($"text file '{path}' is empty");
        var bom = Encoding.UTF8.Preamble;
        var body = bytes.AsSpan(bytes.AsSpan().StartsWith(bom) ? bom.Length : 0);
        var chars = new char[body.Length]; // UTF-8 never has fewer bytes than UTF-16 units
        if (Utf8.ToUtf16(body, chars, out var read, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            var offset = bytes.Length - body.Length + read;
            Rune.DecodeFromUtf8(bytes.AsSpan(offset), out _, out var bad); // the length of the ill-formed sequence
            var shown = string.Join(" ", bytes.AsSpan(offset, bad).ToArray().Select(b => $"0x{b:X2}"));
            throw new TextDataException($"text file '{path}' is not valid UTF-8: byte offset {offset} starts an invalid sequence ({shown})");
        }
        return new TextSource(path, new string(chars, 0, written), Digest(bytes));
    }

    private static string Digest(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
