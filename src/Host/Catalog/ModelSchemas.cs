using System.Text.Json.Nodes;
using Ember.Host.Wire;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;

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
        JsonObject Options()
        {
            RequestField maxTokens = RequestFields.MaxTokens(limits);
            var options = new JsonObject
            {
                ["stream"] = new JsonObject { ["type"] = "boolean", ["default"] = false },
                ["max_tokens"] = Field(maxTokens, $"Tokens to generate; default {limits.DefaultMaxTokens} ({limits.DefaultMaxTokensStream} when streaming)."),
                ["raw"] = new JsonObject { ["type"] = "boolean", ["default"] = false },
                ["lora"] = new JsonObject { ["type"] = "string", ["description"] = "Name of the LoRA adapter (fine-tune) to run the model with." },
            };
            foreach (RequestField field in RequestFields.Sampling.Where(field => field.Apis.HasFlag(RequestApis.WorkersAi)))
            {
                options[field.Name] = Field(field, null);
            }

            JsonObject StopString() => new() { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = RequestFields.MaxTextLength };
            options["stop"] = new JsonObject
            {
                ["oneOf"] = new JsonArray(StopString(), new JsonObject { ["type"] = "array", ["maxItems"] = RequestFields.MaxStopStrings, ["items"] = StopString() }),
                ["description"] = "The text ends before the first of these strings the model generates, and generation stops there.",
            };

            return options;
        }

        JsonObject prompt = Options();
        prompt.Insert(0, "prompt", new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = RequestFields.MaxTextLength });

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
                    ["content"] = new JsonObject { ["type"] = "string", ["maxLength"] = RequestFields.MaxTextLength },
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

    /// <summary>A numeric field's schema, in the range Workers AI's <c>run</c> enforces.</summary>
    private static JsonObject Field(RequestField field, string? description)
    {
        RequestRange range = field.RangeFor(RequestApis.WorkersAi);
        var schema = new JsonObject { ["type"] = field.SchemaType };
        schema[range.ExclusiveMinimum ? "exclusiveMinimum" : "minimum"] = Value(field, range.Minimum);
        schema["maximum"] = Value(field, range.Maximum);
        if (field.Default is double value)
        {
            schema["default"] = Value(field, value);
        }

        if (description is not null)
        {
            schema["description"] = description;
        }

        return schema;
    }

    /// <summary>An integer field's bounds as JSON integers (<c>50</c>, not <c>50.0</c>).</summary>
    private static JsonValue Value(RequestField field, double value) =>
        field.Type == RequestFieldType.WholeNumber ? JsonValue.Create((long)value) : JsonValue.Create(value);
}
