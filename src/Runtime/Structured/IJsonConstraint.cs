namespace Ember.Runtime.Structured;

/// <summary>
/// A byte-level constraint on generated text: which UTF-8 bytes may come next so that the text stays a prefix of a
/// value the constraint accepts (a JSON value, or one valid against a JSON Schema). States are immutable, so a caller
/// can branch from one state into many (the vocabulary walk of the token mask) without copying.
/// </summary>
internal interface IJsonConstraint
{
    /// <summary>Gets the state before any byte.</summary>
    JsonConstraintState Start { get; }

    /// <summary>The state after <paramref name="b"/>, or <see langword="null"/> when the byte cannot come next.</summary>
    JsonConstraintState? Advance(JsonConstraintState state, byte b);

    /// <summary>
    /// Whether the state is inside a free string between two characters: there any whole UTF-8 character but the controls
    /// below U+0020, <c>"</c> and <c>\</c> (any byte of 0x20–0x7F but those two, and any well-formed multi-byte sequence)
    /// is taken and leaves the state as it is, so the mask need not walk the tokens made only of those.
    /// </summary>
    bool IsInFreeString(JsonConstraintState state);

    /// <summary>
    /// Whether the constraint has let go: every byte is taken from this state on and leaves it as it is (the free text
    /// of a tool-calling answer that did not begin with the call marker), so no token need be masked or walked.
    /// </summary>
    bool IsUnconstrained(JsonConstraintState state);

    /// <summary>Whether the text so far is a whole accepted value (generation may end here).</summary>
    bool IsComplete(JsonConstraintState state);

    /// <summary>Whether the text so far is a whole accepted value that no byte can extend (generation must end here).</summary>
    bool IsFinal(JsonConstraintState state);
}
