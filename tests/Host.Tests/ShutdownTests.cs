using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests;

/// <summary>Stopping the host (a service stop, Ctrl+C) lets streams already running finish before the models unload.</summary>
/// <remarks>The test stops its host, so it has one of its own rather than a collection's shared one.</remarks>
public sealed class ShutdownTests
{
    private const int Streams = 4;
    private const int MaxTokens = 1024;

    [Fact]
    public async Task Stop_WhileStreaming_EveryStreamFinishesWholeThenTheHostStops()
    {
        var host = new EmberHostFixture();
        await host.InitializeAsync();
        using HttpClient client = host.CreateClient();
        var readers = new List<StreamReader>();
        var responses = new List<HttpResponseMessage>();
        try
        {
            for (int i = 0; i < Streams; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, ApiAssert.RunPath("@ember/tiny-llama"))
                {
                    Content = ApiAssert.Json($$"""{"prompt":"Tell me about the sea number {{i}}","max_tokens":{{MaxTokens}},"stream":true}"""),
                };
                HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                responses.Add(response);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                readers.Add(reader);
                Assert.StartsWith("data: {\"response\":", await reader.ReadLineAsync(), StringComparison.Ordinal);
                Assert.Equal(string.Empty, await reader.ReadLineAsync());
            }

            Task stopped = host.DisposeAsync();
            string[] rests = await Task.WhenAll(readers.Select(reader => reader.ReadToEndAsync()));
            await stopped;

            foreach (string rest in rests)
            {
                IReadOnlyList<string> events = ApiAssert.SseEvents(rest);
                Assert.Equal("[DONE]", events[^1]);
                using JsonDocument last = JsonDocument.Parse(events[^2]);
                Assert.Equal(MaxTokens, last.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
                Assert.DoesNotContain(events, data => data.Contains("\"error\"", StringComparison.Ordinal));
            }
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
            responses.ForEach(response => response.Dispose());
            await host.DisposeAsync();
        }
    }
}
