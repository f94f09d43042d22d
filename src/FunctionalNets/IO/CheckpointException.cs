using System.Text;

namespace FunctionalNets.IO;

/// <summary>
/// A safetensors file or checkpoint that cannot be read or does not fit: the message is one line naming the file,
/// the tensor (when one is at fault) and the problem.
/// </summary>
/// <remarks>
/// Tensor names and problems can come from the file itself, so control characters are escaped and very long names
/// shortened: a damaged file can never spread a warning over many lines or flood a terminal.
/// </remarks>
public sealed class CheckpointException : Exception
{
    private const int MaxNameLength = 200;

    /// <summary>A failure of <paramref name="file"/> as a whole, or of its tensor <paramref name="tensor"/> when given.</summary>
    public CheckpointException(string file, string? tensor, string problem, Exception? inner = null)
        : base(OneLine(tensor is null ? $"{file}: {problem}" : $"{file}: tensor '{Shorten(tensor)}': {problem}"), inner) =>
        (File, Tensor, Problem) = (file, tensor, problem);

    /// <summary>The file (or stream name) that failed.</summary>
    public string File { get; }

    /// <summary>The tensor at fault, or null when the problem is the file's.</summary>
    public string? Tensor { get; }

    /// <summary>What is wrong, without the file and tensor.</summary>
    public string Problem { get; }

    /// <summary>The first <paramref name="length"/> characters of <paramref name="text"/> taken from a file, for quoting it in a message.</summary>
    internal static string Excerpt(string text, int length = 40) => Shorten(text, length);

    // Cut before a surrogate pair rather than through it.
    private static string Shorten(string text, int length = MaxNameLength) =>
        text.Length <= length ? text
        : $"{text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)]}…";

    private static string OneLine(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
            if (char.IsControl(c)) sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        return sb.ToString();
    }
}
