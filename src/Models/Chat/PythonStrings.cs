namespace Ember.Models.Chat;

/// <summary>
/// Python's <c>str.strip()</c>, <c>lstrip()</c> and <c>rstrip()</c> with no argument, as Hugging Face's chat templates
/// call them (Jinja runs in Python).
/// </summary>
/// <remarks>
/// Python strips the characters for which <c>str.isspace()</c> is true. That set is not .NET's
/// <see cref="char.IsWhiteSpace(char)"/> (which keeps U+001C–U+001F) nor JavaScript's <c>trim()</c> (which keeps
/// U+001C–U+001F and U+0085, and strips U+FEFF). Every one of Python's characters is in the Basic Multilingual Plane,
/// so a UTF-16 string is stripped char by char. Thread-safe.
/// </remarks>
internal static class PythonStrings
{
    /// <summary>Tells whether Python's <c>str.isspace()</c> is true for a character.</summary>
    /// <param name="value">The character.</param>
    /// <returns><see langword="true"/> for U+0009–U+000D, U+001C–U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A,
    /// U+2028, U+2029, U+202F, U+205F and U+3000.</returns>
    public static bool IsWhiteSpace(char value) => value switch
    {
        >= '\u0009' and <= '\u000D' => true,
        >= '\u001C' and <= '\u0020' => true,
        '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary>Python's <c>text.strip()</c>: <paramref name="text"/> without its leading and trailing white space.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The stripped text.</returns>
    public static string Strip(string text) => RStrip(LStrip(text));

    /// <summary>Python's <c>text.lstrip()</c>: <paramref name="text"/> without its leading white space.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The stripped text.</returns>
    public static string LStrip(string text)
    {
        int start = 0;
        while (start < text.Length && IsWhiteSpace(text[start]))
        {
            start++;
        }

        return text[start..];
    }

    /// <summary>Python's <c>text.rstrip()</c>: <paramref name="text"/> without its trailing white space.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The stripped text.</returns>
    public static string RStrip(string text)
    {
        int end = text.Length;
        while (end > 0 && IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }
}
