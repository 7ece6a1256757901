using Ember.Models.Catalog;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>A checked OpenAI-compatible request.</summary>
/// <param name="Model">The catalog model named by <c>model</c>.</param>
/// <param name="Generation">The runtime request (its stop strings included).</param>
/// <param name="IncludeUsage">Whether a streamed answer ends with a usage chunk (<c>stream_options.include_usage</c>).</param>
public sealed record OpenAiRequest(CatalogEntry Model, TextGenerationRequest Generation, bool IncludeUsage);
