using System.Text.Json.Nodes;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Models.Catalog;

namespace Ember.Host.Catalog;

/// <summary>
/// The JSON schemas of a text-generation model's input and output, as <c>models/schema</c> returns them:
/// the Workers AI schema with this model's <c>max_tokens</c> ceiling and default.
/// </summary>
/// <remarks>Stateless and thread-safe; every call builds new nodes.</remarks>
public static class ModelSchemas
{
    /// <summary>Builds the schemas of a model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="limits">Its limits as served.</param>
    /// <returns>Its input and output schema.</returns>
    public static ModelSchema For(CatalogEntry model, ModelLimits limits)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(limits);
        return new ModelSchema(Input(limits), Output());
    }

    private static JsonObject Input(ModelLimits limits)
    {
        JsonObject Options() => new()
        {
            ["stream"] = new JsonObject { ["type"] = "boolean", ["default"] = false },
            ["max_tokens"] = new JsonObject
            {
                ["type"] = "integer",
                ["minimum"] = 1,
                ["maximum"] = limits.SequenceTokensLimit,
                ["default"] = limits.DefaultMaxTokens,
                ["description"] = $"Tokens to generate; default {limits.DefaultMaxTokens} ({limits.DefaultMaxTokensStream} when streaming).",
            },
            ["raw"] = new JsonObject { ["type"] = "boolean", ["default"] = false },
            ["temperature"] = Number(0, 5, 0.6),
            ["top_p"] = Number(0, 2, null),
            ["top_k"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 50 },
            ["seed"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = RunRequestParser.MaxSeed },
            ["repetition_penalty"] = Number(0, 2, null),
            ["frequency_penalty"] = Number(0, 2, null),
            ["presence_penalty"] = Number(0, 2, null),
        };

        JsonObject prompt = Options();
        prompt.Insert(0, "prompt", new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = JsonFields.MaxTextLength });

        JsonObject messages = Options();
        messages.Insert(0, "messages", new JsonObject
        {
            ["type"] = "array",
            ["minItems"] = 1,
            ["items"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["role"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("system", "user", "assistant") },
                    ["content"] = new JsonObject { ["type"] = "string", ["maxLength"] = JsonFields.MaxTextLength },
                },
                ["required"] = new JsonArray("role", "content"),
            },
        });

        return new JsonObject
        {
            ["type"] = "object",
            ["oneOf"] = new JsonArray(
                new JsonObject { ["title"] = "Prompt", ["properties"] = prompt, ["required"] = new JsonArray("prompt") },
                new JsonObject { ["title"] = "Messages", ["properties"] = messages, ["required"] = new JsonArray("messages") }),
        };
    }

    private static JsonObject Output() => new()
    {
        ["oneOf"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "object",
                ["contentType"] = "application/json",
                ["properties"] = new JsonObject
                {
                    ["response"] = new JsonObject { ["type"] = "string" },
                    ["usage"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["prompt_tokens"] = new JsonObject { ["type"] = "integer" },
                            ["completion_tokens"] = new JsonObject { ["type"] = "integer" },
                            ["total_tokens"] = new JsonObject { ["type"] = "integer" },
                        },
                    },
                },
            },
            new JsonObject { ["type"] = "string", ["contentType"] = "text/event-stream", ["format"] = "binary" }),
    };

    private static JsonObject Number(double minimum, double maximum, double? defaultValue)
    {
        var schema = new JsonObject { ["type"] = "number", ["minimum"] = minimum, ["maximum"] = maximum };
        if (defaultValue is double value)
        {
            schema["default"] = value;
        }

        return schema;
    }
}
