using Ember.Host.Validation;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// Which adapter a request's <c>lora</c> (or the adapter of <c>model:adapter</c>) names, for the caller who sent it: an
/// adapter runtime.json declares, or a fine-tune the caller's account uploaded (or a public one), by its name or id.
/// </summary>
/// <remarks>Implementations must be thread-safe.</remarks>
public interface IAdapterResolver
{
    /// <summary>The name the runtime serves the adapter by, or the refusal (5006, naming it and those the caller may pick).</summary>
    /// <param name="context">The request, whose account and token own fine-tunes.</param>
    /// <param name="model">The model asked for.</param>
    /// <param name="lora">The adapter asked for.</param>
    Parsed<string> Resolve(HttpContext context, ModelHandle model, string lora);

    /// <summary>The names of the adapters of <paramref name="model"/> the caller may pick, in the order <c>v1/models</c> lists them.</summary>
    /// <param name="context">The request.</param>
    /// <param name="model">An installed model.</param>
    IReadOnlyList<string> Names(HttpContext context, ModelHandle model);
}
