using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static Ember.Benchmark.TableText;

namespace Ember.Benchmark;

/// <summary>
/// The multi-turn chat scenario (<c>--chat TURNS</c>): conversations that resend their whole history each turn plus a
/// new user line, over HTTP, with prefix caching on and then off on fresh hosts, and a long-history probe (a turn
/// whose ~1,000-token history an earlier turn left in the cache, against the same turn cold).
/// </summary>
internal static class ChatMode
{
    private static readonly string[] UserLines =
    [
        "Tell me a story about a cat.",
        "What happened next?",
        "Why did the cat do that?",
        "Describe the house where it lived.",
        "Who else lived in that house?",
        "What did they eat for dinner?",
        "How did the story end?",
        "Tell it again in fewer words.",
        "What is the moral of the story?",
        "Give the cat a name and explain it.",
    ];

    public static async Task<int> RunAsync(BenchmarkOptions options, string modelsRoot, string variant, int conversations, int turns, CancellationToken cancellationToken)
    {
        if (HttpHostTarget.FindHostDll(options.HostDll) is not { } hostDll)
        {
            await Console.Error.WriteLineAsync("The chat scenario needs a built Ember.Host.dll (dotnet build -c Release src/Host, or --host-dll).").ConfigureAwait(false);
            return 2;
        }

        var rows = new List<ChatResult>();
        foreach (var caching in new[] { true, false })
        {
            var settings = new Dictionary<string, string>(options.ModelSettings) { ["PrefixCaching"] = caching ? "true" : "false" };
            await using var host = await HttpHostTarget.StartAsync(hostDll, modelsRoot, variant, options.Cap ?? conversations, Math.Max(256, conversations), options.PrefillChunk, cancellationToken, settings).ConfigureAwait(false);
            await host.ChatAsync([User("Hello.")], 4, null, () => 0, new RequestSample(), cancellationToken).ConfigureAwait(false);
            var probe = await LongHistoryAsync(host, options.MaxTokens, cancellationToken).ConfigureAwait(false);
            var wall = Stopwatch.StartNew();
            var turnsDone = options.ChatInTurn
                ? await InTurnAsync(host, conversations, turns, options.MaxTokens, cancellationToken).ConfigureAwait(false)
                : (await Task.WhenAll(Enumerable.Range(0, conversations).Select(c => ConversationAsync(host, c, turns, options.MaxTokens, cancellationToken))).ConfigureAwait(false)).SelectMany(t => t).ToList();
            wall.Stop();
            // The host's own view: free slots keeping a history now, and the share of admissions that found one.
            var retained = await host.MetricAsync("ember_prefix_cache_retained", cancellationToken).ConfigureAwait(false);
            var hitRatio = await host.MetricAsync("ember_prefix_cache_hit_ratio", cancellationToken).ConfigureAwait(false);
            rows.Add(ChatResult.From(caching, conversations, turns, turnsDone, wall.Elapsed.TotalSeconds, probe) with { Retained = retained, HostHitRatio = hitRatio });
        }

        Console.WriteLine();
        Console.WriteLine(Render(rows, options));
        return rows.Any(r => r.Errors > 0) ? 1 : 0;
    }

    /// <summary>One conversation: each turn sends the whole history (a system prompt, earlier turns) and a new user line.</summary>
    private static async Task<List<ChatTurn>> ConversationAsync(HttpHostTarget host, int conversation, int turns, int maxTokens, CancellationToken cancellationToken)
    {
        var messages = new JsonArray(System(conversation, 40));
        var done = new List<ChatTurn>();
        for (var turn = 0; turn < turns; turn++)
        {
            done.Add(await NextTurnAsync(host, messages, conversation, turn, maxTokens, cancellationToken).ConfigureAwait(false));
        }

        return done;
    }

    /// <summary>
    /// The conversations take turns one request at a time: round r sends turn r of conversation 0, then of 1, and so
    /// on, so between two turns of one conversation every other conversation ran one turn.
    /// </summary>
    private static async Task<List<ChatTurn>> InTurnAsync(HttpHostTarget host, int conversations, int turns, int maxTokens, CancellationToken cancellationToken)
    {
        var histories = Enumerable.Range(0, conversations).Select(c => new JsonArray(System(c, 40))).ToArray();
        var done = new List<ChatTurn>();
        for (var turn = 0; turn < turns; turn++)
        {
            for (var conversation = 0; conversation < conversations; conversation++)
            {
                done.Add(await NextTurnAsync(host, histories[conversation], conversation, turn, maxTokens, cancellationToken).ConfigureAwait(false));
            }
        }

        return done;
    }

    /// <summary>One turn of a conversation: its next user line, the answer, and the answer added to its history.</summary>
    private static async Task<ChatTurn> NextTurnAsync(HttpHostTarget host, JsonArray messages, int conversation, int turn, int maxTokens, CancellationToken cancellationToken)
    {
        messages.Add(User(UserLines[(conversation + turn) % UserLines.Length]));
        var (sample, text, prompt, cached) = await TurnAsync(host, messages, maxTokens, $"conversation-{conversation}", cancellationToken).ConfigureAwait(false);
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = text });
        return new ChatTurn(turn, sample, prompt, cached);
    }

    /// <summary>A first turn whose system prompt makes a ~1,000-token history, then the second turn, whose TTFT is reported.</summary>
    private static async Task<ChatTurn> LongHistoryAsync(HttpHostTarget host, int maxTokens, CancellationToken cancellationToken)
    {
        var messages = new JsonArray(System(-1, 480), User(UserLines[0]));
        var (_, text, _, _) = await TurnAsync(host, messages, maxTokens, "long-history", cancellationToken).ConfigureAwait(false);
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = text });
        messages.Add(User(UserLines[1]));
        var (sample, _, prompt, cached) = await TurnAsync(host, messages, maxTokens, "long-history", cancellationToken).ConfigureAwait(false);
        return new ChatTurn(1, sample, prompt, cached);
    }

    private static async Task<(RequestSample Sample, string Text, int Prompt, int Cached)> TurnAsync(HttpHostTarget host, JsonArray messages, int maxTokens, string affinity, CancellationToken cancellationToken)
    {
        var sample = new RequestSample();
        var started = Stopwatch.GetTimestamp();
        double Clock() => Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            var (text, prompt, cached) = await host.ChatAsync(messages, maxTokens, affinity, Clock, sample, cancellationToken).ConfigureAwait(false);
            sample.EndMs = Clock();
            return (sample, text, prompt, cached);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            sample.Error = e.Message;
            sample.EndMs = Clock();
            return (sample, string.Empty, 0, 0);
        }
    }

    private static JsonObject User(string content) => new() { ["role"] = "user", ["content"] = content };

    /// <summary>A system prompt of about <paramref name="words"/> words, different per conversation from its first words on.</summary>
    private static JsonObject System(int conversation, int words)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"You are assistant number {conversation + 2} of the town library."));
        var source = string.Join(' ', UserLines).Split(' ');
        for (var i = 0; i < words; i++)
        {
            text.Append(' ').Append(source[(i * 7 + conversation + 3) % source.Length]);
        }

        return new JsonObject { ["role"] = "system", ["content"] = text.ToString() };
    }

    private static string Render(List<ChatResult> rows, BenchmarkOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Ember chat scenario: preset {options.Preset}, variant {options.Variant}, max_tokens {options.MaxTokens}, over HTTP, greedy, sequence cap {options.Cap ?? rows[0].Conversations}, {(options.ChatInTurn ? "conversations in turn, one request at a time" : "conversations at once")}, {Environment.ProcessorCount} cores{SettingsSuffix(options)}"));
        text.AppendLine();
        text.AppendLine(Invariant($"{"caching",7} {"convs",5} {"turns",5} {"errors",6} {"agg tok/s",9} {"TTFT p50",9} {"TTFT p99",9} {"last turn TTFT p50",18} {"hit turns",9} {"cached/prompt",13} {"from turn 2",11} {"kept",4} {"host hits",9} {"long: prompt",12} {"cached",6} {"TTFT ms",8}"));
        foreach (var r in rows)
        {
            text.AppendLine(Invariant($"{(r.Caching ? "on" : "off"),7} {r.Conversations,5} {r.Turns,5} {r.Errors,6} {r.TokensPerSecond,9:F1} {r.TtftP50,9:F1} {r.TtftP99,9:F1} {r.LastTurnTtftP50,18:F1} {r.HitTurns,9:P0} {r.CachedShare,13:P1} {r.LaterCachedShare,11:P1} {r.Retained,4} {r.HostHitRatio,9:P0} {r.Probe.PromptTokens,12} {r.Probe.CachedTokens,6} {r.Probe.Sample.TimeToFirstTokenMs ?? 0,8:F1}"));
        }

        if (rows.FirstOrDefault(r => r.Caching) is { } on && rows.FirstOrDefault(r => !r.Caching) is { } off)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"caching on / off: agg tok/s {on.TokensPerSecond / off.TokensPerSecond:F2}x, TTFT p50 {on.TtftP50 / off.TtftP50:F2}x, long-history turn TTFT {(on.Probe.Sample.TimeToFirstTokenMs ?? 0) / (off.Probe.Sample.TimeToFirstTokenMs ?? 1):P0} of cold"));
        }

        return text.ToString();
    }
}
