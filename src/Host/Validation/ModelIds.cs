namespace Ember.Host.Validation;

/// <summary>Turns the model part of a run path into a catalog id.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class ModelIds
{
    /// <summary>
    /// Decodes the route's model value. Kestrel decodes every escape in the path except <c>%2F</c>, so
    /// <c>%40cf%2Fmeta%2Fllama-2-7b-chat-int8</c> arrives as <c>@cf%2Fmeta%2Fllama-2-7b-chat-int8</c>; this
    /// turns the remaining <c>%2F</c> into <c>/</c>, giving the same id as the raw form.
    /// </summary>
    /// <param name="routeValue">The route value; may be <see langword="null"/>.</param>
    /// <returns>The model id, or an empty string.</returns>
    public static string FromRoute(object? routeValue)
    {
        string value = routeValue as string ?? string.Empty;
        return value.Contains('%', StringComparison.Ordinal)
            ? value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase)
            : value;
    }
}
