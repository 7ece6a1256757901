namespace Ember.Runtime.Generation;

/// <summary>
/// One numeric field of a text-generation request: its name, type, range and default, and the APIs that take it.
/// The Workers AI parser, the OpenAI parser, <c>models/schema</c> and the service's <c>RequestValidator</c> all read it.
/// </summary>
/// <param name="Name">The field's name on the wire, such as <c>top_p</c>.</param>
/// <param name="Type">Integer or number.</param>
/// <param name="Range">The values the engine takes, and every API unless <see cref="WorkersAiRange"/> narrows Workers AI's.</param>
/// <param name="Default">The value used when the field is absent, or <see langword="null"/> when absence means "not applied".</param>
/// <param name="Apis">The APIs that accept the field.</param>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed record RequestField(string Name, RequestFieldType Type, RequestRange Range, double? Default, RequestApis Apis)
{
    /// <summary>Gets the narrower range of Workers AI's contract, where it differs from <see cref="Range"/>; <see langword="null"/> when the same.</summary>
    public RequestRange? WorkersAiRange { get; init; }

    /// <summary>Gets the field's type as JSON Schema names it: <c>integer</c> or <c>number</c>.</summary>
    public string SchemaType => Type == RequestFieldType.WholeNumber ? "integer" : "number";

    /// <summary>The range an API enforces.</summary>
    /// <param name="api">One API.</param>
    /// <returns><see cref="WorkersAiRange"/> for Workers AI when set, otherwise <see cref="Range"/>.</returns>
    public RequestRange RangeFor(RequestApis api) => api == RequestApis.WorkersAi && WorkersAiRange is { } narrower ? narrower : Range;

    /// <summary>The message of a value outside the engine's range, <see cref="Range"/>: the field's name and the rule.</summary>
    /// <returns>Such as <c>top_k: must be an integer from 1 to 50</c>.</returns>
    public string Failure() => Name + ": " + Range.Rule(Type);

    /// <summary>The message of a value outside an API's range: the field's name and the rule.</summary>
    /// <param name="api">One API.</param>
    /// <returns>Such as <c>top_k: must be an integer from 1 to 50</c>.</returns>
    public string Failure(RequestApis api) => Name + ": " + RangeFor(api).Rule(Type);
}
