namespace Ember.Runtime.Structured;

/// <summary>
/// One node of a compiled JSON grammar. Built (and mutated) only while compiling; read-only once a constraint uses it,
/// so it is safe to share between threads from then on.
/// </summary>
internal sealed class GrammarNode
{
    /// <summary>A depth no value reaches: the node has no finite value.</summary>
    public const int Unbounded = int.MaxValue / 2;

    /// <summary>Initializes a new instance of the <see cref="GrammarNode"/> class.</summary>
    public GrammarNode(GrammarNodeKind kind, string pointer)
    {
        Kind = kind;
        Pointer = pointer;
    }

    /// <summary>Gets any JSON value.</summary>
    public static GrammarNode AnyValue { get; } = CreateAny();

    /// <summary>Gets any JSON object.</summary>
    public static GrammarNode AnyObject { get; } = Prepared(new GrammarNode(GrammarNodeKind.AnyObject, string.Empty) { MinDepth = 1 });

    /// <summary>Gets any JSON array (of any values).</summary>
    public static GrammarNode AnyArray { get; } = Prepared(new GrammarNode(GrammarNodeKind.Array, string.Empty) { Items = AnyValue, MinDepth = 1 });

    /// <summary>Gets the literal <c>true</c>.</summary>
    public static byte[] True { get; } = "true"u8.ToArray();

    /// <summary>Gets the literal <c>false</c>.</summary>
    public static byte[] False { get; } = "false"u8.ToArray();

    /// <summary>Gets the literal <c>null</c>.</summary>
    public static byte[] Null { get; } = "null"u8.ToArray();

    /// <summary>Gets what the node accepts.</summary>
    public GrammarNodeKind Kind { get; }

    /// <summary>Gets the JSON pointer of the schema the node came from.</summary>
    public string Pointer { get; }

    /// <summary>Gets or sets an object's properties, in emission order.</summary>
    public GrammarProperty[] Properties { get; set; } = [];

    /// <summary>Gets or sets the index of an object's last required property, -1 when none is.</summary>
    public int LastRequired { get; set; } = -1;

    /// <summary>Gets or sets an array's items.</summary>
    public GrammarNode? Items { get; set; }

    /// <summary>Gets or sets the fewest items an array holds (0 or 1).</summary>
    public int MinItems { get; set; }

    /// <summary>Gets or sets the most items an array holds.</summary>
    public int MaxItems { get; set; } = int.MaxValue;

    /// <summary>Gets or sets the alternatives of an anyOf.</summary>
    public GrammarNode[] Alternatives { get; set; } = [];

    /// <summary>Gets or sets the literal byte sequences (compact JSON) of a literals node.</summary>
    public byte[][] Literals { get; set; } = [];

    /// <summary>Gets or sets the definition a <c>$ref</c> names (<see langword="null"/> for <c>#</c>).</summary>
    public string? RefName { get; set; }

    /// <summary>Gets or sets the node a <c>$ref</c> resolves to.</summary>
    public GrammarNode? Target { get; set; }

    /// <summary>Gets or sets the fewest containers a value of this node must open (itself included); <see cref="Unbounded"/> when none is finite.</summary>
    public int MinDepth { get; set; }

    /// <summary>Gets or sets, per byte, whether a value of this node can start with it (depth aside).</summary>
    public bool[] FirstBytes { get; set; } = new bool[256];

    /// <summary>Fills <see cref="FirstBytes"/> from the node's kind and children (their own must be filled, or be reached through anyOf).</summary>
    public void ComputeFirstBytes()
    {
        var first = FirstBytes;
        switch (Kind)
        {
            case GrammarNodeKind.Any:
                first['{'] = first['['] = first['"'] = first['t'] = first['f'] = first['n'] = true;
                MarkNumber(first);
                break;
            case GrammarNodeKind.AnyObject:
            case GrammarNodeKind.Object:
                first['{'] = true;
                break;
            case GrammarNodeKind.Array:
                first['['] = true;
                break;
            case GrammarNodeKind.String:
                first['"'] = true;
                break;
            case GrammarNodeKind.Number:
            case GrammarNodeKind.Integer:
                MarkNumber(first);
                break;
            case GrammarNodeKind.Literals:
                foreach (var literal in Literals)
                {
                    first[literal[0]] = true;
                }

                break;
            case GrammarNodeKind.AnyOf:
                foreach (var alternative in Alternatives)
                {
                    alternative.ComputeFirstBytes();
                    for (int b = 0; b < 256; b++)
                    {
                        first[b] |= alternative.FirstBytes[b];
                    }
                }

                break;
            case GrammarNodeKind.Ref:
                break;
        }
    }

    private static void MarkNumber(bool[] first)
    {
        first['-'] = true;
        for (int b = '0'; b <= '9'; b++)
        {
            first[b] = true;
        }
    }

    private static GrammarNode Prepared(GrammarNode node)
    {
        node.ComputeFirstBytes();
        return node;
    }

    private static GrammarNode CreateAny() => Prepared(new GrammarNode(GrammarNodeKind.Any, string.Empty));
}
