using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>A checked Responses API request.</summary>
/// <param name="Model">The catalog model named by <c>model</c>.</param>
/// <param name="Generation">The runtime request.</param>
/// <param name="Echo">The request's fields the response object repeats.</param>
public sealed record ResponsesRequest(ModelHandle Model, TextGenerationRequest Generation, ResponsesEcho Echo);
