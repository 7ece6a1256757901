namespace Ember.Runtime.Structured;

/// <summary>
/// The JSON constraints: a byte-level pushdown recognizer of compact JSON from a root <see cref="GrammarNode"/>, which
/// is any value or any object (<see cref="ForAnyValue"/>: RFC 8259, strings valid UTF-8 without raw control characters,
/// <c>\u</c> escapes pairing their surrogates) or a compiled JSON Schema (<see cref="JsonSchemaCompiler.Compile"/>). A
/// state is a set of persistent parse stacks (one per live alternative) whose frames are never modified, so any state
/// can be advanced by many bytes. No whitespace is accepted anywhere: the output is compact JSON.
/// </summary>
/// <remarks>
/// Thread-safe: the grammar is read-only; <see cref="Advance"/> uses a per-thread scratch buffer. Nesting is bounded
/// by <see cref="MaxDepth"/>; a container is only opened when the shortest way to finish it fits under the bound, so
/// every state that is not complete accepts some byte.
/// </remarks>
internal sealed class JsonGrammar : IJsonConstraint
{
    /// <summary>The default bound on nested objects and arrays.</summary>
    public const int DefaultMaxDepth = 32;

    private const int AfterOpen = 0, Key = 1, AfterKey = 2, InValue = 3, AfterValue = 4, AfterComma = 5;

    [ThreadStatic]
    private static ParseFrame[]? scratch;

    /// <summary>Initializes a new instance of the <see cref="JsonGrammar"/> class.</summary>
    public JsonGrammar(GrammarNode root, int maxDepth)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        MaxDepth = maxDepth;
        Start = new ParseFrame(FrameKind.ValueStart, 0, 0, 0, root, null, new ParseFrame(FrameKind.Root, 0, 0, 0, null, null, null));
    }

    /// <summary>Any compact JSON value, or any object for OpenAI's <c>json_object</c> mode.</summary>
    /// <param name="requireObject">Whether the top-level value must be an object (<c>json_object</c> mode).</param>
    /// <param name="maxDepth">The bound on nested objects and arrays.</param>
    /// <returns>The grammar.</returns>
    public static JsonGrammar ForAnyValue(bool requireObject, int maxDepth = DefaultMaxDepth) =>
        new(requireObject ? GrammarNode.AnyObject : GrammarNode.AnyValue, maxDepth);

    /// <summary>Gets the bound on nested objects and arrays.</summary>
    public int MaxDepth { get; }

    /// <summary>Gets the state before any byte.</summary>
    public JsonConstraintState Start { get; }

    /// <summary>The state after <paramref name="b"/>, or <see langword="null"/> when the byte cannot come next.</summary>
    public JsonConstraintState? Advance(JsonConstraintState state, byte b)
    {
        var sink = new Sink(scratch ??= new ParseFrame[16]);
        if (state is ParseFrame frame)
        {
            Step(frame, b, ref sink);
        }
        else
        {
            var threads = ((ParseFrameSet)state).Threads;
            for (int i = 0; i < threads.Length; i++)
            {
                Step(threads[i], b, ref sink);
            }
        }

        scratch = sink.Items;
        switch (sink.Count)
        {
            case 0:
                return null;
            case 1:
                return sink.Items[0];
            default:
                var live = new ParseFrame[sink.Count];
                Array.Copy(sink.Items, live, sink.Count);
                return new ParseFrameSet(live);
        }
    }

    /// <summary>
    /// Whether the state is inside a free string between two characters (no escape or multi-byte character begun),
    /// where any whole UTF-8 character but the controls below U+0020, <c>"</c> and <c>\</c> leaves the state as it is.
    /// </summary>
    public bool IsInFreeString(JsonConstraintState state) =>
        state is ParseFrame { Kind: FrameKind.String, Sub: JsonLexer.StringNormal };

    /// <summary>Never: a JSON value is constrained to its end.</summary>
    public bool IsUnconstrained(JsonConstraintState state) => false;

    /// <summary>Whether the text so far is a whole accepted value.</summary>
    public bool IsComplete(JsonConstraintState state)
    {
        if (state is ParseFrame frame)
        {
            return IsComplete(frame);
        }

        foreach (var thread in ((ParseFrameSet)state).Threads)
        {
            if (IsComplete(thread))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the text so far is a whole accepted value that no byte can extend.</summary>
    public bool IsFinal(JsonConstraintState state)
    {
        if (state is ParseFrame frame)
        {
            return frame.Kind == FrameKind.Done;
        }

        foreach (var thread in ((ParseFrameSet)state).Threads)
        {
            if (thread.Kind != FrameKind.Done)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsComplete(ParseFrame frame) =>
        frame.Kind == FrameKind.Done
        || (frame.Kind == FrameKind.Number && JsonLexer.NumberAccepts(frame.Sub) && frame.Parent!.Kind == FrameKind.Root);

    private void Step(ParseFrame frame, byte b, ref Sink sink)
    {
        switch (frame.Kind)
        {
            case FrameKind.ValueStart:
                StartValue(frame.Node!, frame.Parent!, b, ref sink);
                break;
            case FrameKind.Literal:
                var bytes = frame.Bytes!;
                if (bytes[frame.Sub] == b)
                {
                    sink.Add(frame.Sub + 1 == bytes.Length
                        ? Complete(frame.Parent!)
                        : new ParseFrame(FrameKind.Literal, frame.Sub + 1, 0, frame.Level, null, bytes, frame.Parent));
                }

                break;
            case FrameKind.String:
                int next = JsonLexer.StringNext(frame.Sub, b);
                if (next == JsonLexer.StringEnd)
                {
                    sink.Add(Complete(frame.Parent!));
                }
                else if (next == frame.Sub)
                {
                    // Frames are immutable: the same string state again is the same frame, and costs nothing.
                    sink.Add(frame);
                }
                else if (next != JsonLexer.Reject)
                {
                    sink.Add(new ParseFrame(FrameKind.String, next, 0, frame.Level, null, null, frame.Parent));
                }

                break;
            case FrameKind.Number:
                StepNumber(frame, b, ref sink);
                break;
            case FrameKind.Object:
                StepObject(frame, b, ref sink);
                break;
            case FrameKind.AnyObject:
                StepAnyObject(frame, b, ref sink);
                break;
            case FrameKind.Array:
                StepArray(frame, b, ref sink);
                break;
            default:
                break;
        }
    }

    private void StepNumber(ParseFrame frame, byte b, ref Sink sink)
    {
        bool integer = frame.Aux == 1;
        int next = JsonLexer.NumberNext(frame.Sub, b, integer);
        if (next != JsonLexer.Reject)
        {
            AddNumber(next, integer, frame.Level, frame.Parent!, ref sink);
        }
        else if (b is (byte)',' or (byte)'}' or (byte)']' && JsonLexer.NumberAccepts(frame.Sub))
        {
            // The byte ends the number: the container takes it (only these bytes can follow a value, so nothing else allocates).
            Step(Complete(frame.Parent!), b, ref sink);
        }
    }

    private static void AddNumber(int state, bool integer, int level, ParseFrame parent, ref Sink sink) =>
        sink.Add(JsonLexer.NumberCanExtend(state, integer)
            ? new ParseFrame(FrameKind.Number, state, integer ? 1 : 0, level, null, null, parent)
            : Complete(parent));

    private void StepObject(ParseFrame frame, byte b, ref Sink sink)
    {
        var node = frame.Node!;
        switch (frame.Sub)
        {
            case AfterOpen:
                if (b == '}' && frame.Aux > node.LastRequired)
                {
                    sink.Add(Complete(frame.Parent!));
                }
                else if (b == '"')
                {
                    AddKeys(frame, ref sink);
                }

                break;
            case AfterValue:
                if (b == '}' && frame.Aux > node.LastRequired)
                {
                    sink.Add(Complete(frame.Parent!));
                }
                else if (b == ',' && HasKey(frame))
                {
                    sink.Add(new ParseFrame(FrameKind.Object, AfterComma, frame.Aux, frame.Level, node, null, frame.Parent));
                }

                break;
            case AfterComma:
                if (b == '"')
                {
                    AddKeys(frame, ref sink);
                }

                break;
            default:
                break;
        }
    }

    private bool HasKey(ParseFrame frame)
    {
        var properties = frame.Node!.Properties;
        for (int i = frame.Aux; i < properties.Length; i++)
        {
            if (frame.Level + properties[i].Node.MinDepth <= MaxDepth)
            {
                return true;
            }
        }

        return false;
    }

    private void AddKeys(ParseFrame frame, ref Sink sink)
    {
        var node = frame.Node!;
        var properties = node.Properties;
        for (int i = frame.Aux; i < properties.Length; i++)
        {
            var property = properties[i];
            if (frame.Level + property.Node.MinDepth <= MaxDepth)
            {
                var owner = new ParseFrame(FrameKind.Object, Key, i + 1, frame.Level, node, null, frame.Parent);
                sink.Add(new ParseFrame(FrameKind.Literal, 0, 0, frame.Level, null, property.KeyBytes, owner));
            }

            if (property.Required)
            {
                break;
            }
        }
    }

    private static void StepAnyObject(ParseFrame frame, byte b, ref Sink sink)
    {
        switch (frame.Sub)
        {
            case AfterOpen:
                if (b == '}')
                {
                    sink.Add(Complete(frame.Parent!));
                }
                else if (b == '"')
                {
                    sink.Add(new ParseFrame(FrameKind.String, JsonLexer.StringNormal, 0, frame.Level, null, null, With(frame, Key)));
                }

                break;
            case AfterKey:
                if (b == ':')
                {
                    sink.Add(new ParseFrame(FrameKind.ValueStart, 0, 0, frame.Level, GrammarNode.AnyValue, null, With(frame, InValue)));
                }

                break;
            case AfterValue:
                if (b == '}')
                {
                    sink.Add(Complete(frame.Parent!));
                }
                else if (b == ',')
                {
                    sink.Add(With(frame, AfterComma));
                }

                break;
            case AfterComma:
                if (b == '"')
                {
                    sink.Add(new ParseFrame(FrameKind.String, JsonLexer.StringNormal, 0, frame.Level, null, null, With(frame, Key)));
                }

                break;
            default:
                break;
        }
    }

    private void StepArray(ParseFrame frame, byte b, ref Sink sink)
    {
        // An array frame's Aux counts the items done.
        var node = frame.Node!;
        var items = node.Items!;
        switch (frame.Sub)
        {
            case AfterOpen:
                if (b == ']' && node.MinItems == 0)
                {
                    sink.Add(Complete(frame.Parent!));
                }
                else if (items.FirstBytes[b] && node.MaxItems > 0)
                {
                    StartValue(items, With(frame, InValue), b, ref sink);
                }

                break;
            case AfterValue:
                if (b == ']' && frame.Aux >= node.MinItems)
                {
                    sink.Add(Complete(frame.Parent!));
                }
                else if (b == ',' && frame.Aux < node.MaxItems && frame.Level + items.MinDepth <= MaxDepth)
                {
                    sink.Add(With(frame, AfterComma));
                }

                break;
            case AfterComma:
                if (items.FirstBytes[b])
                {
                    StartValue(items, With(frame, InValue), b, ref sink);
                }

                break;
            default:
                break;
        }
    }

    private void StartValue(GrammarNode node, ParseFrame parent, byte b, ref Sink sink)
    {
        if (!node.FirstBytes[b])
        {
            return;
        }

        int level = parent.Level;
        switch (node.Kind)
        {
            case GrammarNodeKind.Any:
                switch (b)
                {
                    case (byte)'{':
                        StartValue(GrammarNode.AnyObject, parent, b, ref sink);
                        break;
                    case (byte)'[':
                        StartValue(GrammarNode.AnyArray, parent, b, ref sink);
                        break;
                    case (byte)'"':
                        sink.Add(new ParseFrame(FrameKind.String, JsonLexer.StringNormal, 0, level, null, null, parent));
                        break;
                    case (byte)'t':
                        sink.Add(new ParseFrame(FrameKind.Literal, 1, 0, level, null, GrammarNode.True, parent));
                        break;
                    case (byte)'f':
                        sink.Add(new ParseFrame(FrameKind.Literal, 1, 0, level, null, GrammarNode.False, parent));
                        break;
                    case (byte)'n':
                        sink.Add(new ParseFrame(FrameKind.Literal, 1, 0, level, null, GrammarNode.Null, parent));
                        break;
                    default:
                        AddNumber(JsonLexer.NumberStart(b), false, level, parent, ref sink);
                        break;
                }

                break;
            case GrammarNodeKind.AnyObject:
                if (level + 1 <= MaxDepth)
                {
                    sink.Add(new ParseFrame(FrameKind.AnyObject, AfterOpen, 0, level + 1, node, null, parent));
                }

                break;
            case GrammarNodeKind.Object:
                if (level + node.MinDepth <= MaxDepth)
                {
                    sink.Add(new ParseFrame(FrameKind.Object, AfterOpen, 0, level + 1, node, null, parent));
                }

                break;
            case GrammarNodeKind.Array:
                if (level + node.MinDepth <= MaxDepth)
                {
                    sink.Add(new ParseFrame(FrameKind.Array, AfterOpen, 0, level + 1, node, null, parent));
                }

                break;
            case GrammarNodeKind.String:
                sink.Add(new ParseFrame(FrameKind.String, JsonLexer.StringNormal, 0, level, null, null, parent));
                break;
            case GrammarNodeKind.Number:
            case GrammarNodeKind.Integer:
                AddNumber(JsonLexer.NumberStart(b), node.Kind == GrammarNodeKind.Integer, level, parent, ref sink);
                break;
            case GrammarNodeKind.Literals:
                foreach (var literal in node.Literals)
                {
                    if (literal[0] == b)
                    {
                        sink.Add(literal.Length == 1 ? Complete(parent) : new ParseFrame(FrameKind.Literal, 1, 0, level, null, literal, parent));
                    }
                }

                break;
            case GrammarNodeKind.AnyOf:
                foreach (var alternative in node.Alternatives)
                {
                    StartValue(alternative, parent, b, ref sink);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The frame that follows when the value on top of <paramref name="parent"/> is whole.</summary>
    private static ParseFrame Complete(ParseFrame parent)
    {
        switch (parent.Kind)
        {
            case FrameKind.Root:
                return ParseFrame.Done;
            case FrameKind.Object when parent.Sub == Key:
                var owner = With(parent, InValue);
                return new ParseFrame(FrameKind.ValueStart, 0, 0, parent.Level, parent.Node!.Properties[parent.Aux - 1].Node, null, owner);
            case FrameKind.AnyObject when parent.Sub == Key:
                return With(parent, AfterKey);
            case FrameKind.Array:
                return new ParseFrame(FrameKind.Array, AfterValue, parent.Aux == int.MaxValue ? parent.Aux : parent.Aux + 1, parent.Level, parent.Node, null, parent.Parent);
            default:
                return With(parent, AfterValue);
        }
    }

    private static ParseFrame With(ParseFrame frame, int mode) =>
        new(frame.Kind, mode, frame.Aux, frame.Level, frame.Node, null, frame.Parent);

    /// <summary>The frames one step makes, in a reused buffer.</summary>
    private ref struct Sink(ParseFrame[] items)
    {
        public ParseFrame[] Items = items;

        public int Count;

        public void Add(ParseFrame frame)
        {
            if (frame.Kind == FrameKind.Done)
            {
                for (int i = 0; i < Count; i++)
                {
                    if (ReferenceEquals(Items[i], frame))
                    {
                        return;
                    }
                }
            }

            if (Count == Items.Length)
            {
                Array.Resize(ref Items, Count * 2);
            }

            Items[Count++] = frame;
        }
    }
}
