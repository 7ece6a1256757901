using Microsoft.AspNetCore.Http;

namespace Ember.Host.Routing;

/// <summary>The route patterns the host serves, and tests on paths.</summary>
public static class ApiRoutes
{
    /// <summary>The account-scoped Workers AI base: <c>/client/v4/accounts/{account_id}/ai</c>.</summary>
    public const string AiBase = "/client/v4/accounts/{account_id}/ai";

    /// <summary>Runs a model: the model id (which has slashes) is the rest of the path.</summary>
    public const string Run = AiBase + "/run/{**model}";

    /// <summary>Searches the model catalog.</summary>
    public const string ModelSearch = AiBase + "/models/search";

    /// <summary>Gets a model's input and output schema.</summary>
    public const string ModelSchema = AiBase + "/models/schema";

    /// <summary>The account's fine-tunes: <c>GET</c> lists them, <c>POST</c> creates one.</summary>
    public const string Finetunes = AiBase + "/finetunes";

    /// <summary>Every account's public fine-tunes.</summary>
    public const string PublicFinetunes = Finetunes + "/public";

    /// <summary>Uploads one file of a fine-tune (multipart: <c>file_name</c> and <c>file</c>).</summary>
    public const string FinetuneAssets = Finetunes + "/{finetune_id}/finetune-assets";

    /// <summary>The OpenAI-compatible base.</summary>
    public const string OpenAiBase = AiBase + "/v1";

    /// <summary>OpenAI chat completions.</summary>
    public const string ChatCompletions = OpenAiBase + "/chat/completions";

    /// <summary>OpenAI (text) completions.</summary>
    public const string Completions = OpenAiBase + "/completions";

    /// <summary>OpenAI model list.</summary>
    public const string Models = OpenAiBase + "/models";

    /// <summary>OpenAI's Responses API (stateless).</summary>
    public const string Responses = OpenAiBase + "/responses";

    /// <summary>Liveness probe; never authenticated.</summary>
    public const string Health = "/healthz";

    /// <summary>Prometheus scrape endpoint (the <c>Ember.Runtime</c> meter, ASP.NET Core's, Kestrel's, the .NET runtime's); needs a token like the API.</summary>
    public const string Metrics = "/metrics";

    /// <summary>Readiness probe; never authenticated.</summary>
    public const string Ready = "/readyz";

    /// <summary>The playground page; never authenticated (the page asks for a token when the API wants one).</summary>
    public const string Playground = "/";

    /// <summary>The folder of the playground's own files.</summary>
    public const string PlaygroundFolder = "/playground";

    /// <summary>One of the playground's files (script, style sheet, icon); never authenticated.</summary>
    public const string PlaygroundFile = PlaygroundFolder + "/{file}";

    /// <summary>The live view's JSON: generated tokens per second, queue and running sequences over the last minutes; needs a token like <see cref="Metrics"/>.</summary>
    public const string Stats = "/stats";

    /// <summary>Tells whether a path is under the OpenAI-compatible base, whose errors use OpenAI's shape.</summary>
    /// <param name="path">The request path.</param>
    /// <returns><see langword="true"/> for <c>/client/v4/accounts/*/ai/v1</c> and below.</returns>
    public static bool IsOpenAi(PathString path)
    {
        // /client/v4/accounts/{account}/ai/v1[/...]
        ReadOnlySpan<char> value = path.Value;
        const string prefix = "/client/v4/accounts/";
        if (!value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        value = value[prefix.Length..];
        int slash = value.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        value = value[slash..];
        return value.Equals("/ai/v1", StringComparison.Ordinal) || value.StartsWith("/ai/v1/", StringComparison.Ordinal);
    }

    /// <summary>Tells whether a path is a probe that needs no authentication.</summary>
    /// <param name="path">The request path.</param>
    /// <returns><see langword="true"/> for <c>/healthz</c> and <c>/readyz</c>.</returns>
    public static bool IsProbe(PathString path) =>
        path.Equals(Health, StringComparison.OrdinalIgnoreCase) || path.Equals(Ready, StringComparison.OrdinalIgnoreCase);

    /// <summary>Tells whether a path needs no authentication: the probes, the playground page and its files.</summary>
    /// <param name="path">The request path.</param>
    /// <returns><see langword="true"/> for <c>/healthz</c>, <c>/readyz</c>, <c>/</c> and <c>/playground/…</c>.</returns>
    public static bool IsPublic(PathString path) =>
        IsProbe(path)
        || path.Equals(Playground, StringComparison.Ordinal)
        || path.StartsWithSegments(PlaygroundFolder, StringComparison.Ordinal, out PathString rest) && rest.HasValue;
}
