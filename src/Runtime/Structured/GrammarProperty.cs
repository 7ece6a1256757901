namespace Ember.Runtime.Structured;

/// <summary>One property of an object node.</summary>
/// <param name="Name">The property's name.</param>
/// <param name="KeyBytes">The bytes after the key's opening quote: the escaped name, the closing quote and the colon.</param>
/// <param name="Node">The property's value.</param>
/// <param name="Required">Whether the property must appear.</param>
internal sealed record GrammarProperty(string Name, byte[] KeyBytes, GrammarNode Node, bool Required)
{
    /// <summary>Gets or sets the property's value (rewritten once when <c>$ref</c>s are resolved).</summary>
    public GrammarNode Node { get; set; } = Node;
}
