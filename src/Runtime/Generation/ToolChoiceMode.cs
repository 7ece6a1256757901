namespace Ember.Runtime.Generation;

/// <summary>Whether and how the model calls tools (OpenAI's <c>tool_choice</c>).</summary>
public enum ToolChoiceMode
{
    /// <summary>Text only; the tools are not shown to the model (<c>"none"</c>).</summary>
    None,

    /// <summary>The model writes text or calls tools (<c>"auto"</c>, the default when tools are given).</summary>
    Auto,

    /// <summary>The answer is one or more calls (<c>"required"</c>).</summary>
    Required,

    /// <summary>The answer is calls of one named tool (<c>{"type":"function","function":{"name":…}}</c>).</summary>
    Function,
}
