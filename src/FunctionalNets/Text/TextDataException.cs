using LanguageExt;
using LanguageExt.Common;

namespace FunctionalNets.Text;

/// <summary>
/// A failure of the text data itself (a file, a tokenizer name or state, characters a vocabulary lacks, a split
/// too short for a window), with a one-line message naming the file, tokenizer or split and the values involved.
/// </summary>
/// <remarks>
/// The functions at the edges (<see cref="TextSource.Read"/>, <see cref="TextTokenizers"/>, the datasets' <c>Create</c>)
/// return it inside a failed <c>Fin</c>, so <c>fin.ThrowIfFail()</c> rethrows this type and <c>error.Message</c> is
/// the line a command-line tool prints before it exits with code 1.
/// </remarks>
/// <param name="message">The one-line description.</param>
public sealed class TextDataException(string message) : Exception(message);

/// <summary>Turns the text-data failures of a computation into failed <see cref="Fin{A}"/> values.</summary>
internal static class TextFin
{
    /// <summary>The result of <paramref name="body"/>, or a failure carrying the <see cref="TextDataException"/> it threw.</summary>
    public static Fin<T> Catch<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (TextDataException e)
        {
            return Error.New(e);
        }
    }
}
