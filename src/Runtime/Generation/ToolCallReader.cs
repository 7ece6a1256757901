using System.Text;
using System.Text.Json;
using Ember.Models.Chat;

namespace Ember.Runtime.Generation;

/// <summary>
/// Reads a generated answer, piece by piece, into text or tool calls: an answer that begins with
/// <see cref="ToolPrompt.CallsMarker"/> (after at most two spaces or line breaks) is calls, written as the tool-call
/// grammar writes them (<c>[{"name":"…","arguments":{…}},…]</c>); any other is text. Text that could still become the
/// marker is held back until it cannot.
/// </summary>
/// <remarks>
/// A call is reported in <see cref="Calls"/> only once the array is whole (<see cref="Complete"/>): an answer cut by
/// <c>max_tokens</c> (or a stop string) inside its calls has none, though its pieces were read. Not thread-safe: one
/// per answer.
/// </remarks>
public sealed class ToolCallReader
{
    private const int MaxLeadingSpace = 2;
    private const string CallOpen = "{\"name\":";
    private const string ArgumentsKey = ",\"arguments\":";

    private readonly bool _required;
    private readonly StringBuilder _held = new();
    private readonly StringBuilder _name = new();
    private readonly StringBuilder _arguments = new();
    private readonly StringBuilder _whole = new();
    private readonly List<ToolCall> _calls = [];
    private readonly List<ToolCall> _started = [];
    private Mode _mode;
    private string _expected = string.Empty;
    private int _expectedAt;
    private Mode _afterExpected;
    private int _depth;
    private bool _inString;
    private bool _escaped;

    /// <summary>Initializes a new instance of the <see cref="ToolCallReader"/> class.</summary>
    /// <param name="enabled">Whether the answer may hold calls (the request has tools and a tool choice but none); otherwise all is text.</param>
    /// <param name="required">Whether the answer must be calls (a tool choice of required or a named tool): a marker cut short is no text.</param>
    public ToolCallReader(bool enabled, bool required = false)
    {
        _required = enabled && required;
        _mode = enabled ? Mode.Leading : Mode.Text;
    }

    /// <summary>A reader for an answer to a request with this tool choice.</summary>
    /// <param name="choice">The request's tool choice in force.</param>
    /// <returns>The reader.</returns>
    public static ToolCallReader For(ToolChoice choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        return new ToolCallReader(choice.Mode != ToolChoiceMode.None, choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Function);
    }

    private enum Mode
    {
        Leading,
        Text,
        Literal,
        Name,
        Arguments,
        AfterCall,
        Done,
        Broken,
    }

    /// <summary>Gets the calls, once the answer's array of calls is whole; empty before, and for a text answer.</summary>
    public IReadOnlyList<ToolCall> Calls => _mode == Mode.Done ? _calls : [];

    /// <summary>Gets a value indicating whether the answer is calls and they are whole.</summary>
    public bool Complete => _mode == Mode.Done;

    /// <summary>Gets a value indicating whether the answer turned out to be calls (whole or not).</summary>
    public bool IsCalls => _mode is not (Mode.Leading or Mode.Text);

    /// <summary>Reads the whole answer at once.</summary>
    /// <param name="text">The answer.</param>
    /// <param name="choice">The request's tool choice in force.</param>
    /// <returns>The text (empty for calls, whole or cut) and the whole calls.</returns>
    public static (string Text, IReadOnlyList<ToolCall> Calls) ReadAll(string text, ToolChoice choice)
    {
        var reader = For(choice);
        var written = new StringBuilder();
        foreach (var item in reader.Read(text).Concat(reader.Finish()))
        {
            if (item.Kind == ToolCallEventKind.Text)
            {
                written.Append(item.Text);
            }
        }

        return (written.ToString(), reader.Calls);
    }

    /// <summary>Reads the next piece of the answer.</summary>
    /// <param name="text">The piece.</param>
    /// <returns>What it completes: text to send, or the calls' steps.</returns>
    public IReadOnlyList<ToolCallEvent> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var events = new List<ToolCallEvent>();
        if (_mode == Mode.Text)
        {
            if (text.Length > 0)
            {
                events.Add(new ToolCallEvent(ToolCallEventKind.Text, 0, text));
            }

            return events;
        }

        for (int i = 0; i < text.Length; i++)
        {
            Step(text[i], events);
            if (_mode == Mode.Text)
            {
                string rest = _held.ToString() + text[(i + 1)..];
                _held.Clear();
                if (rest.Length > 0)
                {
                    events.Add(new ToolCallEvent(ToolCallEventKind.Text, 0, rest));
                }

                return events;
            }
        }

        FlushArguments(events);
        return events;
    }

    /// <summary>Ends the answer: text held back as a possible marker is text after all (unless calls are required).</summary>
    /// <returns>The held text, if any.</returns>
    public IReadOnlyList<ToolCallEvent> Finish()
    {
        if (_mode != Mode.Leading || _required)
        {
            return [];
        }

        _mode = Mode.Text;
        string held = _held.ToString();
        _held.Clear();
        return held.Length == 0 ? [] : [new ToolCallEvent(ToolCallEventKind.Text, 0, held)];
    }

    private void Step(char c, List<ToolCallEvent> events)
    {
        switch (_mode)
        {
            case Mode.Leading:
                Lead(c);
                break;
            case Mode.Literal:
                if (c != _expected[_expectedAt])
                {
                    _mode = Mode.Broken;
                }
                else if (++_expectedAt == _expected.Length)
                {
                    _mode = _afterExpected;
                }

                break;
            case Mode.Name:
                ReadName(c, events);
                break;
            case Mode.Arguments:
                ReadArguments(c, events);
                break;
            case Mode.AfterCall:
                if (c == ',')
                {
                    Expect(CallOpen, Mode.Name);
                }
                else
                {
                    _mode = c == ']' ? Mode.Done : Mode.Broken;
                }

                break;
            default:
                // Done or broken: nothing more is read (the grammar ends the sequence after the array).
                break;
        }
    }

    private void Lead(char c)
    {
        _held.Append(c);
        string held = _held.ToString();
        int space = 0;
        while (space < held.Length && held[space] is ' ' or '\n')
        {
            space++;
        }

        string rest = held[space..];
        if (space > MaxLeadingSpace || !ToolPrompt.CallsMarker.StartsWith(rest, StringComparison.Ordinal))
        {
            // The held text, this character included, is text after all.
            _mode = Mode.Text;
        }
        else if (rest.Length == ToolPrompt.CallsMarker.Length)
        {
            _held.Clear();
            Expect("[" + CallOpen, Mode.Name);
        }
    }

    private void Expect(string literal, Mode then)
    {
        _expected = literal;
        _expectedAt = 0;
        _afterExpected = then;
        _mode = Mode.Literal;
    }

    private void ReadName(char c, List<ToolCallEvent> events)
    {
        _name.Append(c);
        if (_name.Length == 1)
        {
            if (c != '"')
            {
                _mode = Mode.Broken;
            }

            return;
        }

        if (_escaped)
        {
            _escaped = false;
        }
        else if (c == '\\')
        {
            _escaped = true;
        }
        else if (c == '"')
        {
            string name;
            using (var document = JsonDocument.Parse(_name.ToString()))
            {
                name = document.RootElement.GetString()!;
            }

            _name.Clear();
            var call = new ToolCall("call_" + Guid.NewGuid().ToString("N")[..24], name, string.Empty);
            _started.Add(call);
            events.Add(new ToolCallEvent(ToolCallEventKind.CallStarted, _started.Count - 1, name, call.Id));
            Expect(ArgumentsKey, Mode.Arguments);
            _depth = 0;
            _inString = false;
        }
    }

    private void ReadArguments(char c, List<ToolCallEvent> events)
    {
        _arguments.Append(c);
        if (_inString)
        {
            if (_escaped)
            {
                _escaped = false;
            }
            else if (c == '\\')
            {
                _escaped = true;
            }
            else if (c == '"')
            {
                _inString = false;
            }

            return;
        }

        switch (c)
        {
            case '"':
                _inString = true;
                break;
            case '{' or '[':
                _depth++;
                break;
            case '}' or ']':
                if (--_depth == 0)
                {
                    FlushArguments(events);
                    int index = _started.Count - 1;
                    var call = _started[index];
                    _started[index] = call with { Arguments = _whole.ToString() };
                    _calls.Add(_started[index]);
                    _whole.Clear();
                    events.Add(new ToolCallEvent(ToolCallEventKind.CallDone, index, string.Empty));
                    Expect("}", Mode.AfterCall);
                }

                break;
            default:
                break;
        }
    }

    private void FlushArguments(List<ToolCallEvent> events)
    {
        if (_arguments.Length > 0)
        {
            string piece = _arguments.ToString();
            _arguments.Clear();
            _whole.Append(piece);
            events.Add(new ToolCallEvent(ToolCallEventKind.Arguments, _started.Count - 1, piece));
        }
    }
}
