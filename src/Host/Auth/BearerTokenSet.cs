using System.Security.Cryptography;
using System.Text;

namespace Ember.Host.Auth;

/// <summary>
/// The configured bearer tokens, kept as SHA-256 digests and compared in constant time.
/// </summary>
/// <remarks>
/// Comparing digests of equal length with <see cref="CryptographicOperations.FixedTimeEquals"/>, and always
/// against every configured token, means the time taken tells nothing about a token's length or prefix, nor
/// about which token matched. Immutable and thread-safe.
/// </remarks>
public sealed class BearerTokenSet
{
    private readonly byte[][] _digests;

    /// <summary>Creates the set.</summary>
    /// <param name="tokens">The accepted tokens.</param>
    public BearerTokenSet(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _digests = tokens.Select(Digest).ToArray();
    }

    /// <summary>Gets a value indicating whether any token is configured.</summary>
    public bool IsEmpty => _digests.Length == 0;

    /// <summary>Tells whether a presented token is one of the configured ones.</summary>
    /// <param name="presented">The token from the <c>Authorization</c> header.</param>
    /// <returns><see langword="true"/> when it matches a configured token exactly.</returns>
    public bool Contains(ReadOnlySpan<char> presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(presented, digest);
        bool match = false;
        foreach (byte[] candidate in _digests)
        {
            match |= CryptographicOperations.FixedTimeEquals(digest, candidate);
        }

        return match;
    }

    private static byte[] Digest(string token)
    {
        var digest = new byte[SHA256.HashSizeInBytes];
        Digest(token, digest);
        return digest;
    }

    private static void Digest(ReadOnlySpan<char> token, Span<byte> destination)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(token)];
        Encoding.UTF8.GetBytes(token, bytes);
        try
        {
            SHA256.HashData(bytes, destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
