namespace Ember.Runtime.Structured;

/// <summary>
/// Compact JSON valid against a JSON Schema of OpenAI's strict subset, made by <see cref="JsonSchemaCompiler.Compile"/>.
/// Object keys come in the schema's <c>properties</c> order (optional ones may be skipped); no other keys.
/// </summary>
/// <remarks>Thread-safe and immutable; states are immutable too.</remarks>
internal sealed class JsonSchemaConstraint : IJsonConstraint
{
    private readonly JsonGrammar grammar;

    /// <summary>Initializes a new instance of the <see cref="JsonSchemaConstraint"/> class from a compiled root.</summary>
    internal JsonSchemaConstraint(GrammarNode root, int maxDepth) => grammar = new JsonGrammar(root, maxDepth);

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
