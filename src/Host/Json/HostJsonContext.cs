using System.Text.Json.Serialization;
using Ember.Host.Wire;
using Ember.Host.Wire.OpenAi;
using Ember.Host.Wire.Responses;

namespace Ember.Host.Json;

/// <summary>
/// The source-generated JSON metadata of every type the host writes, in snake_case as the Workers AI and
/// OpenAI APIs are. Use <see cref="HostJson.Context"/>, whose encoder leaves non-ASCII text unescaped.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(ApiEnvelope<RunResult>))]
[JsonSerializable(typeof(RunResult))]
[JsonSerializable(typeof(ApiErrorItem))]
[JsonSerializable(typeof(ApiEnvelope<BatchQueued>))]
[JsonSerializable(typeof(ApiEnvelope<BatchResponses>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<ModelSearchItem>>))]
[JsonSerializable(typeof(ApiEnvelope<ModelSchema>))]
[JsonSerializable(typeof(ApiEnvelope<FinetuneItem>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<FinetuneItem>>))]
[JsonSerializable(typeof(ApiEnvelope<FinetuneAssetItem>))]
[JsonSerializable(typeof(StreamPiece))]
[JsonSerializable(typeof(StreamFinal))]
[JsonSerializable(typeof(StreamToolCalls))]
[JsonSerializable(typeof(StreamError))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(ActivityReport))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(TextCompletion))]
[JsonSerializable(typeof(OpenAiErrorEnvelope))]
[JsonSerializable(typeof(OpenAiModelList))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(ResponseStreamEvent))]
public sealed partial class HostJsonContext : JsonSerializerContext;
