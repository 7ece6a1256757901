using System.Security.Cryptography;
using System.Text;

namespace Ember.Host.Batch;

/// <summary>Batch job ids and owners.</summary>
public static class BatchIds
{
    /// <summary>A new unguessable job id: 128 random bits, in UUID form.</summary>
    public static string NewRequestId() => new Guid(RandomNumberGenerator.GetBytes(16)).ToString("D");

    /// <summary>The owner of a request: a digest of its bearer token (never the token), or <see langword="null"/> without one.</summary>
    /// <param name="authorization">The <c>Authorization</c> header.</param>
    public static string? OwnerOf(string? authorization) =>
        authorization is { Length: > 7 } value && value.StartsWith("Bearer ", StringComparison.Ordinal)
            ? Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value[7..].Trim())))[..32]
            : null;
}
