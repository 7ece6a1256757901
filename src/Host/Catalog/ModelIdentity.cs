using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Ember.Host.Catalog;

/// <summary>
/// Stable GUIDs for catalog models: RFC 4122 version-5 (name-based) UUIDs of the model id in Ember's own
/// namespace, so a model keeps its id across restarts and machines.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class ModelIdentity
{
    /// <summary>Ember's UUID namespace for model names.</summary>
    public static readonly Guid Namespace = new("6f2e1c8a-4b7d-5e90-a1c3-d5e7f9b2c4a6");

    /// <summary>Gets the GUID of a model.</summary>
    /// <param name="modelId">The model id, such as <c>@cf/meta/llama-2-7b-chat-int8</c>.</param>
    /// <returns>The version-5 UUID of the id in <see cref="Namespace"/>.</returns>
    public static Guid For(string modelId) => NameBased(Namespace, modelId);

    /// <summary>The RFC 4122 version-5 UUID of a name in a namespace.</summary>
    /// <param name="namespaceId">The namespace.</param>
    /// <param name="value">The name.</param>
    /// <returns>The UUID.</returns>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "RFC 4122 version-5 UUIDs are defined with SHA-1; this is an identifier, not a security boundary.")]
    internal static Guid NameBased(Guid namespaceId, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        byte[] name = Encoding.UTF8.GetBytes(value);
        byte[] input = new byte[16 + name.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        Span<byte> uuid = hash[..16];
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x50);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        return new Guid(uuid, bigEndian: true);
    }
}
