using System.Text;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Errors;

/// <summary>
/// A seeded corpus of 2,000 hostile requests, sent as raw bytes each on its own connection: API paths, queries,
/// headers and bodies with NULs and other control bytes (raw and percent-encoded), bytes over 0x7F, bad escapes, dot
/// segments, spaces, repeated or missing headers and broken bodies. Every answer, refusals by Kestrel included, must be
/// JSON in the API's shape: the envelope (<c>success</c>), or OpenAI's (<c>error</c>, or a completion) under <c>v1/</c>.
/// </summary>
[Collection(ScriptedHostCollectionDefinition.Name)]
public sealed class HostileCorpusTests(ScriptedHostFixture host)
{
    private const int Cases = 10_000;

    private static readonly string[] Targets =
    [
        "/client/v4/accounts/acct123/ai/run/@ember/tiny-llama",
        "/client/v4/accounts/acct123/ai/run/@cf%2Fmeta%2Fllama-2-7b-chat-int8",
        "/client/v4/accounts/acct123/ai/run/@ember/tiny-llama?queueRequest=true",
        "/client/v4/accounts/acct123/ai/v1/chat/completions",
        "/client/v4/accounts/acct123/ai/v1/completions",
        "/client/v4/accounts/acct123/ai/models/search?search=tiny&per_page=1",
        "/client/v4/accounts/acct123/ai/models/schema?model=@ember/tiny-llama",
    ];

    private static readonly string[] Insertions =
    [
        "%00", "%0", "%", "%zz", "%FF", "%C0%80", "%01", "%1F", "%7F", "%2F", "%2e%2e", "/..", "/./", "//", "?", "#", "&", "=",
        "\0", "\u0001", "\t", "\u007F", "\u0080", "\u00ff", " ", "\\", "@", ":", "%25", "+", new string('a', 300),
    ];

    private static readonly string[] Bodies =
    [
        """{"prompt":"Hi","max_tokens":2}""",
        """{"model":"@ember/tiny-llama","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""",
        """{"model":"@ember/tiny-llama","prompt":"Hi","max_tokens":2}""",
        """{"requests":[{"prompt":"Hi","max_tokens":2}]}""",
        """{"prompt":"\u0000"}""",
        "{\"prompt\":\"\u00ff\u00fe\"}",
        "{",
        "",
        "null",
        "[1,2,3]",
        """{"prompt":"Hi","max_tokens":"\u0000"}""",
    ];

    [Fact]
    public async Task Send_10000HostileRequests_EveryAnswerIsInTheApisShape()
    {
        var random = new Random(20_260_522);
        var requests = Enumerable.Range(0, Cases).Select(_ => Hostile(random)).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, _) =>
        {
            string response = Encoding.Latin1.GetString(await RawHttp.SendAsync(host.BaseAddress, request));
            if (!IsInTheApisShape(response, out string reason))
            {
                failures.Add($"{reason}\nrequest: {Escape(Encoding.Latin1.GetString(request))}\nresponse: {Escape(response)}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Cases} answers are not in the API's shape; the first:\n{string.Join("\n\n", failures.Take(3))}");
    }

    private static byte[] Hostile(Random random)
    {
        string target = Targets[random.Next(Targets.Length)];
        for (int i = random.Next(1, 4); i > 0; i--)
        {
            int at = random.Next("/client/v4/accounts/".Length, target.Length + 1);
            target = target[..at] + Insertions[random.Next(Insertions.Length)] + target[at..];
        }

        var headers = new List<string> { "Host: 127.0.0.1", $"Authorization: Bearer {HostFixture.Token}", "Content-Type: application/json" };
        switch (random.Next(8))
        {
            case 0: headers.RemoveAt(0); break;
            case 1: headers.Add("Host: other"); break;
            case 2: headers.Add("X-Odd: a\u0001b"); break;
            case 3: headers.Add("X-Nul: a\0b"); break;
            case 4: headers.Add("Bad Name: x"); break;
            default: break;
        }

        string body = Bodies[random.Next(Bodies.Length)];
        string length = random.Next(10) == 0 ? "abc" : Encoding.Latin1.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Encoding.Latin1.GetBytes($"POST {target} HTTP/1.1\r\n{string.Join("\r\n", headers)}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{body}");
    }

    private static bool IsInTheApisShape(string response, out string reason)
    {
        int split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || split < 0)
        {
            reason = "no HTTP response";
            return false;
        }

        string head = response[..split];
        string body = head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? RawHttp.Dechunk(response[(split + 4)..]) : response[(split + 4)..];
        try
        {
            using JsonDocument json = JsonDocument.Parse(body);
            bool shaped = json.RootElement.ValueKind == JsonValueKind.Object
                && (json.RootElement.TryGetProperty("success", out _) || json.RootElement.TryGetProperty("error", out _) || json.RootElement.TryGetProperty("object", out _));
            reason = shaped ? string.Empty : "JSON, but neither the envelope nor OpenAI's shape";
            return shaped;
        }
        catch (JsonException exception)
        {
            reason = "not JSON: " + exception.Message;
            return false;
        }
    }

    private static string Escape(string text) => string.Concat(text.Take(600).Select(c => c is < ' ' or > '~' ? $"\\x{(int)c:x2}" : c.ToString()));
}
