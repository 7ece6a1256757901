namespace Ember.Runtime.Structured;

/// <summary>What a <see cref="GrammarNode"/> accepts.</summary>
internal enum GrammarNodeKind
{
    /// <summary>Any JSON value.</summary>
    Any,

    /// <summary>Any JSON object (keys and values free).</summary>
    AnyObject,

    /// <summary>An object with the node's properties, in their order, and no others.</summary>
    Object,

    /// <summary>An array whose items are the node's <see cref="GrammarNode.Items"/>.</summary>
    Array,

    /// <summary>Any string.</summary>
    String,

    /// <summary>Any number.</summary>
    Number,

    /// <summary>A number without fraction or exponent.</summary>
    Integer,

    /// <summary>One of the node's literal byte sequences (enum, const, true/false, null).</summary>
    Literals,

    /// <summary>Any of the node's alternatives.</summary>
    AnyOf,

    /// <summary>A <c>$ref</c>, only while compiling: resolved away before a constraint runs.</summary>
    Ref,
}
