using System.Text.Json.Serialization;

namespace Ember.Host.Finetunes;

/// <summary>The source-generated JSON metadata of <c>finetune.json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(Finetune))]
internal sealed partial class FinetuneJsonContext : JsonSerializerContext;
