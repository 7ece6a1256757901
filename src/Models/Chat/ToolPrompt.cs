using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ember.Models.Chat;

/// <summary>
/// How tools, calls and tool results are written into the prompt of a model without tool tokens (every model of the
/// catalog): Mistral's tool format (v0.3's <c>[AVAILABLE_TOOLS]</c>, <c>[TOOL_CALLS]</c>, <c>[TOOL_RESULTS]</c>)
/// spelled as plain text and carried by the roles every template has. docs/tools.md shows it per template.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The tools become a system text after the conversation's own: <c>[AVAILABLE_TOOLS][{"type":"function","function":{…}}][/AVAILABLE_TOOLS]</c>,
/// a line break, and <see cref="Instructions"/>.</item>
/// <item>An assistant message's calls are written after its text as the model is to write them:
/// <c>[TOOL_CALLS][{"name":"…","arguments":{…}}]</c>.</item>
/// <item>A tool message becomes a user message <c>[TOOL_RESULTS]{"name":"…","content":"…"}[/TOOL_RESULTS]</c>, the name
/// that of the call it answers (consecutive ones are joined as any consecutive user messages).</item>
/// </list>
/// <para>JSON is compact, non-ASCII characters as they are. Stateless and thread-safe.</para>
/// </remarks>
public static class ToolPrompt
{
    /// <summary>The text the model writes before its calls; the answer begins with it.</summary>
    public const string CallsMarker = "[TOOL_CALLS]";

    /// <summary>Opens the list of tools.</summary>
    public const string ToolsOpen = "[AVAILABLE_TOOLS]";

    /// <summary>Closes the list of tools.</summary>
    public const string ToolsClose = "[/AVAILABLE_TOOLS]";

    /// <summary>Opens a tool's result.</summary>
    public const string ResultsOpen = "[TOOL_RESULTS]";

    /// <summary>Closes a tool's result.</summary>
    public const string ResultsClose = "[/TOOL_RESULTS]";

    /// <summary>What the system text says after the tools.</summary>
    public const string Instructions =
        "To call one or more of these tools, answer with " + CallsMarker
        + " followed by a JSON array of the calls, each {\"name\":\"<tool name>\",\"arguments\":{<the tool's parameters>}}, and nothing else. "
        + "A tool's result comes back as " + ResultsOpen + "{\"name\":\"<tool name>\",\"content\":\"<result>\"}" + ResultsClose + ".";

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>
    /// The conversation with its tools, calls and tool results written as text in system, user and assistant messages;
    /// the list itself when it has none of them.
    /// </summary>
    /// <param name="messages">The conversation, oldest first.</param>
    /// <param name="tools">The tools the model may call; <see langword="null"/> or empty: none (calls and results in the history are still written).</param>
    /// <returns>Messages of the three roles the templates render.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tool message answers no earlier call, or a call's arguments are not a JSON object.</exception>
    public static IReadOnlyList<ChatMessage> Rewrite(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ChatTool>? tools)
    {
        ArgumentNullException.ThrowIfNull(messages);
        bool hasTools = tools is { Count: > 0 };
        if (!hasTools && !messages.Any(message => message is { Role: ChatRole.Tool } or { ToolCalls.Count: > 0 }))
        {
            return messages;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var rewritten = new List<ChatMessage>(messages.Count + 1);
        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage message = messages[i] ?? throw new ArgumentException($"Message {i} is null.", nameof(messages));
            if (message.Role == ChatRole.Tool)
            {
                if (message.ToolCallId is not { } id || !names.TryGetValue(id, out string? name))
                {
                    throw new ArgumentException($"messages[{i}].tool_call_id: answers no call of an earlier assistant message", nameof(messages));
                }

                rewritten.Add(new ChatMessage(ChatRole.User, ResultsOpen + Json(writer => WriteResult(writer, name, message.Content)) + ResultsClose));
            }
            else if (message.ToolCalls is { Count: > 0 } calls)
            {
                foreach (ChatToolCall call in calls)
                {
                    names[call.Id] = call.Name;
                }

                string written = CallsMarker + WriteCalls(calls, i);
                rewritten.Add(new ChatMessage(message.Role, message.Content.Length == 0 ? written : message.Content + "\n\n" + written));
            }
            else
            {
                rewritten.Add(message);
            }
        }

        if (hasTools)
        {
            int leadingSystem = rewritten.TakeWhile(message => message.Role == ChatRole.System).Count();
            rewritten.Insert(leadingSystem, new ChatMessage(ChatRole.System, ToolsOpen + WriteTools(tools!) + ToolsClose + "\n" + Instructions));
        }

        return rewritten;
    }

    /// <summary>The calls as the model writes them after <see cref="CallsMarker"/>: a compact JSON array of <c>{"name","arguments"}</c>.</summary>
    /// <param name="calls">The calls.</param>
    /// <param name="messageIndex">The message they belong to, for the error.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentException">A call's arguments are not a JSON object.</exception>
    public static string WriteCalls(IReadOnlyList<ChatToolCall> calls, int messageIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var arguments = new JsonDocument[calls.Count];
        try
        {
            for (int j = 0; j < calls.Count; j++)
            {
                arguments[j] = ParseObject(calls[j].Arguments, $"messages[{messageIndex}].tool_calls[{j}].function.arguments");
            }

            return Json(writer =>
            {
                writer.WriteStartArray();
                for (int j = 0; j < calls.Count; j++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", calls[j].Name);
                    writer.WritePropertyName("arguments");
                    arguments[j].RootElement.WriteTo(writer);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        }
        finally
        {
            foreach (JsonDocument? document in arguments)
            {
                document?.Dispose();
            }
        }
    }

    private static JsonDocument ParseObject(string json, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}: must be the JSON text of an object", e);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ArgumentException($"{path}: must be the JSON text of an object");
        }

        return document;
    }

    private static string WriteTools(IReadOnlyList<ChatTool> tools) => Json(writer =>
    {
        writer.WriteStartArray();
        foreach (ChatTool tool in tools)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "function");
            writer.WriteStartObject("function");
            writer.WriteString("name", tool.Name);
            if (tool.Description is { } description)
            {
                writer.WriteString("description", description);
            }

            writer.WritePropertyName("parameters");
            if (tool.Parameters is { } parameters)
            {
                parameters.WriteTo(writer);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("type", "object");
                writer.WriteStartObject("properties");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    private static void WriteResult(Utf8JsonWriter writer, string name, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
