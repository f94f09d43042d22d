namespace FunctionalNets.Text;

/// <summary>Tokenization: breaking text into the units a model reads.</summary>
public static class Tokenizer
{
    /// <summary>One token per character (UTF-16 code unit, as a string): the char-level language model's tokens.</summary>
    public static IEnumerable<string> Characters(string text) => text.Select(c => c.ToString());

    /// <summary>
    /// Words and punctuation: runs of letters or digits (with inner apostrophes) are words, every other
    /// non-space character is a token of its own, and white space separates tokens.
    /// </summary>
    public static IEnumerable<string> Words(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            var start = i;
            if (char.IsLetterOrDigit(text[i]))
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) ||
                                           (text[i] == '\'' && i + 1 < text.Length && char.IsLetter(text[i + 1]) && i > start)))
                    i++;
            else
                i++;
            yield return text[start..i];
        }
    }
}
