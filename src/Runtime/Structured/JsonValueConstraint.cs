namespace Ember.Runtime.Structured;

/// <summary>
/// Any compact JSON value (RFC 8259, no whitespace), or any object for OpenAI's <c>json_object</c> mode. Strings must
/// be valid UTF-8 without raw control characters, and <c>\u</c> escapes must pair their surrogates.
/// </summary>
/// <remarks>Thread-safe and immutable; states are immutable too.</remarks>
internal sealed class JsonValueConstraint : IJsonConstraint
{
    private readonly JsonGrammar grammar;

    /// <summary>Initializes a new instance of the <see cref="JsonValueConstraint"/> class.</summary>
    /// <param name="requireObject">Whether the top-level value must be an object (<c>json_object</c> mode).</param>
    /// <param name="maxDepth">The bound on nested objects and arrays.</param>
    public JsonValueConstraint(bool requireObject, int maxDepth = JsonGrammar.DefaultMaxDepth)
    {
        RequireObject = requireObject;
        grammar = new JsonGrammar(requireObject ? GrammarNode.AnyObject : GrammarNode.AnyValue, maxDepth);
    }

    /// <summary>Gets a value indicating whether the top-level value must be an object.</summary>
    public bool RequireObject { get; }

    /// <summary>Gets the bound on nested objects and arrays.</summary>
    public int MaxDepth => grammar.MaxDepth;

    /// <inheritdoc />
    public JsonConstraintState Start => grammar.Start;

    /// <inheritdoc />
    public JsonConstraintState? Advance(JsonConstraintState state, byte b) => grammar.Advance(state, b);

    /// <inheritdoc/>
    public bool IsInFreeString(JsonConstraintState state) => JsonGrammar.IsInFreeString(state);

    /// <inheritdoc />
    public bool IsComplete(JsonConstraintState state) => JsonGrammar.IsComplete(state);

    /// <inheritdoc />
    public bool IsFinal(JsonConstraintState state) => JsonGrammar.IsFinal(state);
}
