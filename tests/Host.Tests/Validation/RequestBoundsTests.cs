using System.Globalization;
using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;

namespace Ember.Host.Tests.Validation;

/// <summary>
/// Every numeric field <c>models/schema</c> advertises, sent at and just past each of its bounds through Workers AI's
/// <c>run</c> and both OpenAI endpoints on the real runtime: the verdict and the message are the schema's.
/// </summary>
/// <remarks>
/// The expected messages are built from the schema's own numbers, not from the table the host reads, so the schema,
/// the parsers and the runtime's validator must agree. The OpenAI endpoints take OpenAI's −2 to 2 for the frequency and
/// presence penalties (Workers AI's schema says 0 to 2), and do not take <c>repetition_penalty</c>.
/// </remarks>
[Collection(EmberHostCollectionDefinition.Name)]
public sealed class RequestBoundsTests(EmberHostFixture host)
{
    private const string Model = ModelCatalog.TinyLlamaId;

    [Fact]
    public async Task EveryAdvertisedBound_BothApis_SameVerdictAndMessageAsTheSchema()
    {
        using HttpClient client = host.CreateClient();
        IReadOnlyList<Bound> bounds = await AdvertisedBoundsAsync(client);
        Assert.Equal(
            ["max_tokens", "temperature", "top_p", "top_k", "seed", "repetition_penalty", "frequency_penalty", "presence_penalty"],
            bounds.Select(bound => bound.Name));

        foreach (Bound bound in bounds)
        {
            await CheckAsync(client, bound, "run", RunBody);
            if (bound.Name == "repetition_penalty")
            {
                continue;
            }

            Bound openAi = bound.Name is "frequency_penalty" or "presence_penalty" ? bound with { Minimum = -2, MinimumText = "-2" } : bound;
            await CheckAsync(client, openAi, "chat/completions", ChatBody);
            await CheckAsync(client, openAi, "completions", CompletionBody);
        }
    }

    private static async Task CheckAsync(HttpClient client, Bound bound, string api, Func<string, string, string> body)
    {
        double step = bound.Integer ? 1 : 0.001;
        double lowest = bound.ExclusiveMinimum ? bound.Minimum + step : bound.Minimum;
        double below = bound.ExclusiveMinimum ? bound.Minimum : bound.Minimum - step;
        foreach (double accepted in new[] { lowest, bound.Maximum })
        {
            using HttpResponseMessage response = await PostAsync(client, api, body(bound.Name, Number(accepted)));
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{api} {bound.Name}={Number(accepted)}: {(int)response.StatusCode} {text}");
        }

        foreach (double refused in new[] { below, bound.Maximum + step })
        {
            using HttpResponseMessage response = await PostAsync(client, api, body(bound.Name, Number(refused)));
            string message = api == "run"
                ? await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006)
                : (await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006)).GetProperty("message").GetString()!;
            Assert.True(bound.Message == message, $"{api} {bound.Name}={Number(refused)}: expected \"{bound.Message}\", got \"{message}\"");
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string api, string body) =>
        client.PostAsync(api == "run" ? ApiAssert.RunPath(Model) : ApiAssert.OpenAiPath(api), ApiAssert.Json(body));

    private static string RunBody(string name, string value) =>
        name == "max_tokens" ? $$"""{"prompt":"hi","max_tokens":{{value}}}""" : $$"""{"prompt":"hi","max_tokens":1,"{{name}}":{{value}}}""";

    private static string ChatBody(string name, string value) =>
        name == "max_tokens"
            ? $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"hi"}],"max_tokens":{{value}}}"""
            : $$"""{"model":"{{Model}}","messages":[{"role":"user","content":"hi"}],"max_tokens":1,"{{name}}":{{value}}}""";

    private static string CompletionBody(string name, string value) =>
        name == "max_tokens"
            ? $$"""{"model":"{{Model}}","prompt":"hi","max_tokens":{{value}}}"""
            : $$"""{"model":"{{Model}}","prompt":"hi","max_tokens":1,"{{name}}":{{value}}}""";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static async Task<IReadOnlyList<Bound>> AdvertisedBoundsAsync(HttpClient client)
    {
        using HttpResponseMessage response = await client.GetAsync("client/v4/accounts/acct123/ai/models/schema?model=" + Uri.EscapeDataString(Model));
        JsonElement result = await ApiAssert.SuccessAsync(response);
        JsonElement properties = result.GetProperty("input").GetProperty("oneOf")[0].GetProperty("properties");
        var bounds = new List<Bound>();
        foreach (JsonProperty property in properties.EnumerateObject())
        {
            JsonElement schema = property.Value;
            string? type = schema.TryGetProperty("type", out JsonElement typeElement) ? typeElement.GetString() : null;
            if (type is not ("integer" or "number"))
            {
                continue;
            }

            bool exclusive = schema.TryGetProperty("exclusiveMinimum", out JsonElement minimum);
            if (!exclusive)
            {
                minimum = schema.GetProperty("minimum");
            }

            JsonElement maximum = schema.GetProperty("maximum");
            bounds.Add(new Bound(property.Name, type == "integer", minimum.GetDouble(), minimum.GetRawText(), exclusive, maximum.GetDouble(), maximum.GetRawText()));
        }

        return bounds;
    }

    /// <summary>A field's advertised range, and the message a value outside it must get.</summary>
    private sealed record Bound(string Name, bool Integer, double Minimum, string MinimumText, bool ExclusiveMinimum, double Maximum, string MaximumText)
    {
        public string Message
        {
            get
            {
                string noun = Integer ? "an integer" : "a number";
                return ExclusiveMinimum
                    ? $"{Name}: must be {noun} greater than {MinimumText} and at most {MaximumText}"
                    : $"{Name}: must be {noun} from {MinimumText} to {MaximumText}";
            }
        }
    }
}
