using System.Net;
using System.Text;
using System.Text.Json;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>Assertions on the Cloudflare and OpenAI envelopes.</summary>
public static class ApiAssert
{
    /// <summary>The run path for a model.</summary>
    /// <param name="model">The model id (raw or encoded).</param>
    /// <returns>The relative path.</returns>
    public static string RunPath(string model) => "client/v4/accounts/acct123/ai/run/" + model;

    /// <summary>The OpenAI-compatible path.</summary>
    /// <param name="rest">The path below <c>v1/</c>.</param>
    /// <returns>The relative path.</returns>
    public static string OpenAiPath(string rest) => "client/v4/accounts/acct123/ai/v1/" + rest;

    /// <summary>A JSON body.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The content.</returns>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts a Cloudflare failure envelope: exact status and code, exact or containing message.</summary>
    /// <param name="response">The response.</param>
    /// <param name="status">The expected status.</param>
    /// <param name="code">The expected Workers AI code.</param>
    /// <param name="message">The expected message, or a part of it when <paramref name="exact"/> is false.</param>
    /// <param name="exact">Whether the message must match exactly.</param>
    /// <returns>The error message.</returns>
    public static async Task<string> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, int code, string? message = null, bool exact = false)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        Assert.Equal(["result", "success", "errors", "messages"], root.EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("result").ValueKind);
        Assert.False(root.GetProperty("success").GetBoolean());
        Assert.Equal(0, root.GetProperty("messages").GetArrayLength());
        JsonElement error = Assert.Single(root.GetProperty("errors").EnumerateArray().ToArray());
        Assert.Equal(["code", "message"], error.EnumerateObject().Select(property => property.Name));
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        string actual = error.GetProperty("message").GetString()!;
        if (message is not null)
        {
            if (exact)
            {
                Assert.Equal(message, actual);
            }
            else
            {
                Assert.Contains(message, actual, StringComparison.Ordinal);
            }
        }

        return actual;
    }

    /// <summary>Asserts an OpenAI error body.</summary>
    /// <param name="response">The response.</param>
    /// <param name="status">The expected status.</param>
    /// <param name="type">The expected OpenAI type.</param>
    /// <param name="code">The expected Workers AI code (as OpenAI's string code).</param>
    /// <param name="message">A part of the expected message.</param>
    /// <returns>The error object.</returns>
    public static async Task<JsonElement> OpenAiErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type, int code, string? message = null)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement error = document.RootElement.GetProperty("error").Clone();
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code.ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("code").GetString());
        if (message is not null)
        {
            Assert.Contains(message, error.GetProperty("message").GetString()!, StringComparison.Ordinal);
        }

        return error;
    }

    /// <summary>Asserts a success envelope and returns its result.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The <c>result</c>, cloned.</returns>
    public static async Task<JsonElement> SuccessAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        Assert.True(root.GetProperty("success").GetBoolean());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, root.GetProperty("messages").GetArrayLength());
        return root.GetProperty("result").Clone();
    }

    /// <summary>Splits an event-stream body into its <c>data:</c> payloads, asserting the framing.</summary>
    /// <param name="body">The whole body.</param>
    /// <returns>The payloads in order.</returns>
    public static IReadOnlyList<string> SseEvents(string body)
    {
        Assert.EndsWith("\n\n", body, StringComparison.Ordinal);
        string[] events = body[..^2].Split("\n\n");
        foreach (string item in events)
        {
            Assert.StartsWith("data: ", item, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', item);
        }

        return events.Select(item => item["data: ".Length..]).ToArray();
    }

    /// <summary>Asserts a Workers AI usage object is consistent.</summary>
    /// <param name="usage">The usage.</param>
    /// <param name="maxCompletionTokens">The most completion tokens allowed.</param>
    public static void Usage(JsonElement usage, int maxCompletionTokens)
    {
        Assert.Equal(["prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details"], usage.EnumerateObject().Select(property => property.Name));
        int prompt = usage.GetProperty("prompt_tokens").GetInt32();
        JsonElement details = usage.GetProperty("prompt_tokens_details");
        Assert.Equal(["cached_tokens"], details.EnumerateObject().Select(property => property.Name));
        Assert.InRange(details.GetProperty("cached_tokens").GetInt32(), 0, prompt - 1);
        int completion = usage.GetProperty("completion_tokens").GetInt32();
        Assert.True(prompt > 0);
        Assert.InRange(completion, 0, maxCompletionTokens);
        Assert.Equal(prompt + completion, usage.GetProperty("total_tokens").GetInt32());
    }
}
