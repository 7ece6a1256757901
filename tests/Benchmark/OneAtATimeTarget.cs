using Ember.Models.Catalog;
using Ember.Models.Chat;
using Microsoft.ML.OnnxRuntimeGenAI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatOptions = Microsoft.Extensions.AI.ChatOptions;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Ember.Benchmark;

/// <summary>
/// ORT GenAI's own <see cref="OnnxRuntimeGenAIChatClient"/> serving requests strictly one after another, the way a
/// server built on it alone would; requests that arrive together wait their turn, which shows in their TTFT.
/// </summary>
internal sealed class OneAtATimeTarget : IStreamingTarget
{
    private readonly OnnxRuntimeGenAIChatClient _client;
    private readonly SemaphoreSlim _turn = new(1, 1);

    public OneAtATimeTarget(string modelFolder)
    {
        // The same text Ember's runtime feeds the model: the catalog entry's template around the prompt.
        var template = ChatTemplates.For(ModelCatalog.TinyLlama.Template);
        _client = new OnnxRuntimeGenAIChatClient(modelFolder, new OnnxRuntimeGenAIChatClientOptions
        {
            StopSequences = [],
            PromptFormatter = (messages, _) => PromptBuilder.FromPrompt(template, messages.Last().Text),
        });
    }

    public string Mode => "one-at-a-time";

    public async Task StreamAsync(string prompt, int maxTokens, Func<double> clockMs, RequestSample sample, CancellationToken cancellationToken)
    {
        var options = new AiChatOptions { MaxOutputTokens = maxTokens, Temperature = 0 };
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var update in _client.GetStreamingResponseAsync([new AiChatMessage(AiChatRole.User, prompt)], options, cancellationToken).ConfigureAwait(false))
            {
                if (!string.IsNullOrEmpty(update.Text))
                {
                    sample.RecordToken(clockMs());
                }
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public long? PeakRssBytes() => MemoryProbe.PeakRssBytes();

    public long? RssBytes() => MemoryProbe.RssBytes();

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _turn.Dispose();
        return ValueTask.CompletedTask;
    }
}
