using Ember.Runtime.Generation;

namespace Ember.Host.Endpoints;

/// <summary>
/// The OpenAI-compatible endpoints under <c>/client/v4/accounts/{account_id}/ai/v1</c>, with OpenAI's response, chunk
/// and error shapes: <see cref="OpenAiGenerationEndpoint"/> (chat and text completions), <see cref="ResponsesEndpoint"/> and <see cref="OpenAiModelsEndpoint"/>.
/// </summary>
/// <remarks>
/// Stop strings are the runtime's (<see cref="TextGenerationRequest.Stop"/>): the text is cut
/// before the first one, the sequence ends there and <c>finish_reason</c> is <c>stop</c>; usage counts the tokens
/// generated up to that point, and so do log probabilities (one entry per counted token, the stop string's own tokens
/// included).
/// </remarks>
public static class OpenAiEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        OpenAiGenerationEndpoint.Map(endpoints);
        OpenAiModelsEndpoint.Map(endpoints);
        ResponsesEndpoint.Map(endpoints);
    }
}
