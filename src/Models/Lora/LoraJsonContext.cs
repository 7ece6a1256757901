using System.Text.Json.Serialization;

namespace Ember.Models.Lora;

/// <summary>The source-generated JSON metadata of the adapter files Ember writes.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(PeftAdapterConfig))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
internal sealed partial class LoraJsonContext : JsonSerializerContext;
