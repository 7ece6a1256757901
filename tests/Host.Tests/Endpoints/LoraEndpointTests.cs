using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using Ember.Runtime.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Ember.Host.Tests.Endpoints;

/// <summary>
/// LoRA adapters through HTTP on the real runtime: <c>lora</c> on <c>/ai/run</c>, <c>model:adapter</c> on the OpenAI
/// endpoints, the adapters in <c>v1/models</c> and <c>models/search</c>, and an unknown adapter refused naming it.
/// </summary>
[Collection(LoraHostCollectionDefinition.Name)]
public sealed class LoraEndpointTests(LoraHostFixture host)
{
    private const string Model = ModelCatalog.TinyLlamaId;
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about the sea and the moon\"}],\"max_tokens\":12,\"temperature\":0";

    [Fact]
    public async Task Run_Lora_TextOfTheAdapterNotTheBaseModel_EachAdapterItsOwn()
    {
        using HttpClient client = host.CreateClient();

        string baseText = await RunAsync(client, null);
        string wide = await RunAsync(client, "wide");
        string narrow = await RunAsync(client, "narrow");

        Assert.NotEqual(baseText, wide);
        Assert.NotEqual(baseText, narrow);
        Assert.NotEqual(wide, narrow);
        Assert.Equal(wide, await RunAsync(client, "wide"));
        Assert.Equal(baseText, await RunAsync(client, null));
    }

    [Fact]
    public async Task Run_ConcurrentRequestsOfDifferentAdapters_EachAsAlone()
    {
        using HttpClient client = host.CreateClient();
        string?[] adapters = ["wide", null, "narrow", "wide"];
        var expected = new List<string>();
        foreach (string? adapter in adapters)
        {
            expected.Add(await RunAsync(client, adapter));
        }

        string[] together = await Task.WhenAll(adapters.Select(adapter => RunAsync(client, adapter)));

        Assert.Equal(expected, together);
    }

    [Fact]
    public async Task ChatCompletions_ModelColonAdapter_SameTextAsRunWithLora()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("chat/completions"), ApiAssert.Json($$"""{"model":"{{Model}}:narrow",{{Messages}}}"""));
        string body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using JsonDocument document = JsonDocument.Parse(body);
        Assert.Equal(await RunAsync(client, "narrow"), document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Run_UnknownAdapter_5006NamingItAndThoseServed()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"lora":"nope",{{Messages}}}"""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, $"lora: no adapter 'nope' for {Model}; it serves 'narrow', 'wide'.", exact: true);
    }

    [Fact]
    public async Task ChatCompletions_UnknownAdapter_InvalidRequestNamingIt()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(ApiAssert.OpenAiPath("chat/completions"), ApiAssert.Json($$"""{"model":"{{Model}}:nope",{{Messages}}}"""));

        await ApiAssert.OpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error", 5006, "no adapter 'nope'");
    }

    [Fact]
    public async Task Models_ListsEachAdapterAsModelColonAdapter()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync(ApiAssert.OpenAiPath("models"));
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        string[] ids = [.. document.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
        Assert.Equal([Model, $"{Model}:narrow", $"{Model}:wide"], ids);
    }

    [Fact]
    public async Task Run_Lora_CountedPerAdapter()
    {
        using HttpClient client = host.CreateClient();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(factory, GenerationMetrics.MeterName, "ember.lora.requests");
        using var tokens = new MetricCollector<long>(factory, GenerationMetrics.MeterName, "ember.lora.tokens");

        await RunAsync(client, "narrow");
        await RunAsync(client, null);

        var request = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal("narrow", request.Tags[GenerationMetrics.AdapterTag]);
        Assert.Equal(Model, request.Tags[GenerationMetrics.ModelTag]);
        Assert.Equal("length", request.Tags[GenerationMetrics.OutcomeTag]);
        Assert.Equal(12, Assert.Single(tokens.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task ModelSearch_TinyLlama_TakesLora()
    {
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage response = await client.GetAsync("client/v4/accounts/acct123/ai/models/search?search=tiny-llama");
        JsonElement result = await ApiAssert.SuccessAsync(response);

        JsonElement model = Assert.Single(result.EnumerateArray().ToArray(), m => m.GetProperty("name").GetString() == Model);
        Assert.Contains(model.GetProperty("properties").EnumerateArray(), p => p.GetProperty("property_id").GetString() == "lora" && p.GetProperty("value").GetString() == "true");
    }

    private static async Task<string> RunAsync(HttpClient client, string? lora)
    {
        string field = lora is null ? string.Empty : $"\"lora\":\"{lora}\",";
        using HttpResponseMessage response = await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{{{field}}{{Messages}}}"""));
        JsonElement result = await ApiAssert.SuccessAsync(response);
        return result.GetProperty("response").GetString()!;
    }
}
