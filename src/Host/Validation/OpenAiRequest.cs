using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>A checked OpenAI-compatible request.</summary>
/// <param name="Model">The model named by <c>model</c>, resolved once where the request arrived.</param>
/// <param name="Generation">The runtime request (its stop strings included).</param>
/// <param name="IncludeUsage">Whether a streamed answer ends with a usage chunk (<c>stream_options.include_usage</c>).</param>
public sealed record OpenAiRequest(ModelHandle Model, TextGenerationRequest Generation, bool IncludeUsage);
