using System.Globalization;
using System.Text.Json;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Parses <c>tools</c>, <c>tool_choice</c> and <c>parallel_tool_calls</c>, the same on every API, recording the first
/// failure (naming the field) in a <see cref="JsonFields"/>.
/// </summary>
/// <remarks>
/// <para>
/// A tool is OpenAI's <c>{"type":"function","function":{"name","description","parameters"}}</c>; where the caller allows it
/// also Workers AI's older <c>{"name","description","parameters"}</c> (the flat form; then the paths name
/// <c>tools[i].name</c>). Names follow <see cref="RequestFields.ToolNameRule"/> and are unique. <c>tool_choice</c> is
/// <c>"none"</c>, <c>"auto"</c>, <c>"required"</c> or <c>{"type":"function","function":{"name"}}</c> (the Responses
/// API's <c>{"type":"function","name"}</c> too), naming one of the tools; <c>"required"</c> and a named tool need tools,
/// while <c>"auto"</c> without tools is text, as the many clients that send it by default expect.
/// </para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class ToolsParser
{
    /// <summary>The tools, choice and parallel flag of a request body.</summary>
    /// <param name="root">The body.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <param name="flatForm">Whether Workers AI's flat tool form is taken (and the Responses API's, which is the same).</param>
    /// <returns>The tools (<see langword="null"/> when none), the choice (<see langword="null"/> when absent) and whether calls may be parallel.</returns>
    public static (IReadOnlyList<ChatTool>? Tools, ToolChoice? Choice, bool Parallel) Parse(JsonElement root, JsonFields fields, bool flatForm)
    {
        ArgumentNullException.ThrowIfNull(fields);
        IReadOnlyList<ChatTool>? tools = null;
        if (JsonFields.TryGet(root, "tools", out JsonElement array))
        {
            tools = ParseTools(array, fields, flatForm);
        }

        ToolChoice? choice = null;
        if (JsonFields.TryGet(root, "tool_choice", out JsonElement choiceElement))
        {
            choice = ParseChoice(choiceElement, fields);
        }

        bool parallel = fields.ReadBoolean(root, "parallel_tool_calls", "parallel_tool_calls") ?? true;
        if (choice is { Mode: ToolChoiceMode.Required or ToolChoiceMode.Function } && tools is not { Count: > 0 })
        {
            fields.Fail("tool_choice", RequestFields.ToolChoiceNeedsToolsRule);
        }
        else if (choice is { Mode: ToolChoiceMode.Function, FunctionName: var name } && !tools!.Any(tool => tool.Name == name))
        {
            fields.Fail("tool_choice", RequestFields.UnknownToolRule(name));
        }

        return (tools is { Count: > 0 } ? tools : null, choice, parallel);
    }

    private static List<ChatTool>? ParseTools(JsonElement array, JsonFields fields, bool flatForm)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            fields.Fail("tools", "must be an array of tools");
            return null;
        }

        var tools = new List<ChatTool>();
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"tools[{index++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Fail(path, "must be an object");
                return null;
            }

            JsonElement function = item;
            bool nested = item.TryGetProperty("function", out JsonElement inner) || !flatForm;
            if (nested)
            {
                if (!JsonFields.TryGet(item, "type", out JsonElement type) || !type.ValueEquals("function"))
                {
                    fields.Fail(path + ".type", "must be \"function\"");
                    return null;
                }

                if (inner.ValueKind != JsonValueKind.Object)
                {
                    fields.Fail(path + ".function", "must be an object with name, description and parameters");
                    return null;
                }

                function = inner;
                path += ".function";
            }

            if (!JsonFields.TryGet(function, "name", out JsonElement nameElement) || !JsonFields.TryGetText(nameElement, out string? name))
            {
                fields.Fail(path + ".name", "is required: " + RequestFields.ToolNameRule);
                return null;
            }

            if (!RequestFields.IsToolName(name))
            {
                fields.Fail(path + ".name", RequestFields.ToolNameRule);
                return null;
            }

            if (tools.Any(tool => tool.Name == name))
            {
                fields.Fail(path + ".name", RequestFields.DuplicateToolRule(name));
                return null;
            }

            string? description = fields.ReadString(function, "description", path + ".description", 0, RequestFields.MaxTextLength);
            JsonElement? parameters = fields.ReadObject(function, "parameters", path + ".parameters");
            tools.Add(new ChatTool(name, description, parameters?.Clone()));
        }

        return tools;
    }

    private static ToolChoice? ParseChoice(JsonElement element, JsonFields fields)
    {
        const string Rule = "must be \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}";
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString() switch
            {
                "none" => ToolChoice.None,
                "auto" => ToolChoice.Auto,
                "required" => ToolChoice.Required,
                _ => Failed(),
            };
        }

        if (element.ValueKind == JsonValueKind.Object && JsonFields.TryGet(element, "type", out JsonElement type) && type.ValueEquals("function"))
        {
            JsonElement holder = JsonFields.TryGet(element, "function", out JsonElement function) && function.ValueKind == JsonValueKind.Object ? function : element;
            if (JsonFields.TryGet(holder, "name", out JsonElement name) && JsonFields.TryGetText(name, out string? text))
            {
                return ToolChoice.Function(text);
            }
        }

        return Failed();

        ToolChoice? Failed()
        {
            fields.Fail("tool_choice", Rule);
            return null;
        }
    }
}
