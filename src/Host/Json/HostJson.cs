using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ember.Host.Json;

/// <summary>The JSON settings the host writes with.</summary>
/// <remarks>
/// Output is never embedded in HTML, so the relaxed encoder is used: generated text keeps its non-ASCII
/// characters, <c>&lt;</c>, <c>&amp;</c> and <c>'</c> as they are, as JavaScript's <c>JSON.stringify</c>
/// (and so Workers AI) writes them. Thread-safe.
/// </remarks>
public static class HostJson
{
    /// <summary>Gets the context to serialize every wire type with.</summary>
    public static HostJsonContext Context { get; } = new(new JsonSerializerOptions(HostJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The options request bodies are parsed with: at most 64 levels deep, no duplicate properties.</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new()
    {
        MaxDepth = MaxDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>The deepest nesting a request body may have.</summary>
    public const int MaxDepth = 64;
}
