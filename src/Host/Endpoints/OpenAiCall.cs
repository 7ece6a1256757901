namespace Ember.Host.Endpoints;

/// <summary>What every object of one OpenAI-compatible answer repeats.</summary>
/// <param name="Id">The completion id.</param>
/// <param name="Created">Unix seconds when the request was accepted.</param>
/// <param name="Model">The model id.</param>
/// <param name="Chat">Whether this is <c>chat/completions</c> (else <c>completions</c>).</param>
internal sealed record OpenAiCall(string Id, long Created, string Model, bool Chat);
