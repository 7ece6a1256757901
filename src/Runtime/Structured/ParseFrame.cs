namespace Ember.Runtime.Structured;

/// <summary>
/// One immutable frame of a persistent parse stack (the top frame is also a one-thread state). Fields mean what the
/// kind says: <see cref="Sub"/> is a container's mode, a literal's position, or a string's or number's lexer state;
/// <see cref="Aux"/> is a schema object's next property index, or 1 for an integer.
/// </summary>
internal sealed class ParseFrame : JsonConstraintState
{
    /// <summary>Initializes a new instance of the <see cref="ParseFrame"/> class.</summary>
    public ParseFrame(FrameKind kind, int sub, int aux, int level, GrammarNode? node, byte[]? bytes, ParseFrame? parent)
    {
        Kind = kind;
        Sub = sub;
        Aux = aux;
        Level = level;
        Node = node;
        Bytes = bytes;
        Parent = parent;
    }

    /// <summary>Gets the shared frame of a finished value.</summary>
    public static ParseFrame Done { get; } = new(FrameKind.Done, 0, 0, 0, null, null, null);

    /// <summary>Gets the frame's kind.</summary>
    public FrameKind Kind { get; }

    /// <summary>Gets the mode, position or lexer state.</summary>
    public int Sub { get; }

    /// <summary>Gets the next property index or the integer flag.</summary>
    public int Aux { get; }

    /// <summary>Gets the number of containers open here (a container counts itself).</summary>
    public int Level { get; }

    /// <summary>Gets the grammar node of a value start or a container.</summary>
    public GrammarNode? Node { get; }

    /// <summary>Gets a literal's bytes.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Gets the frame below (the container this one is in).</summary>
    public ParseFrame? Parent { get; }
}
