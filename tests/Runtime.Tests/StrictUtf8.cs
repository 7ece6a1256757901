using System.Text;

namespace Ember.Runtime.Tests;

/// <summary>UTF-8 that refuses ill-formed bytes, for the tests that tell whole characters from broken ones.</summary>
internal static class StrictUtf8
{
    private static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Whether <paramref name="bytes"/> are well-formed UTF-8.</summary>
    public static bool IsValid(ReadOnlySpan<byte> bytes)
    {
        try
        {
            Encoding.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
