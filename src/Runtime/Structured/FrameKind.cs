namespace Ember.Runtime.Structured;

/// <summary>What a <see cref="ParseFrame"/> is in the middle of.</summary>
internal enum FrameKind : byte
{
    /// <summary>The bottom of every stack: the top-level value is pending.</summary>
    Root,

    /// <summary>The whole value is done; no byte can follow.</summary>
    Done,

    /// <summary>A value of the frame's node is about to start.</summary>
    ValueStart,

    /// <summary>Inside a literal byte sequence (a key, an enum value, true/false/null).</summary>
    Literal,

    /// <summary>Inside a string, after its opening quote.</summary>
    String,

    /// <summary>Inside a number.</summary>
    Number,

    /// <summary>Inside an object of a schema (fixed keys).</summary>
    Object,

    /// <summary>Inside an object with free keys.</summary>
    AnyObject,

    /// <summary>Inside an array.</summary>
    Array,
}
