using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

/// <summary>
/// The official Llama 2 and Mistral v0.1 templates' renders of every <see cref="ChatTemplateCorpus"/> conversation,
/// made once (one <c>render.mjs</c> run per template) for the whole test class.
/// </summary>
public sealed class OfficialChatTemplateFixture : IAsyncLifetime
{
    private readonly Dictionary<(ChatTemplateKind Kind, string Name), OfficialRender> _renders = [];

    /// <summary>The official reference for a corpus conversation (<see cref="OfficialTemplates.ReferenceAsync"/>).</summary>
    /// <param name="kind">Llama 2 chat or Mistral Instruct.</param>
    /// <param name="name">The conversation's name.</param>
    /// <returns>What the official template gave.</returns>
    internal OfficialRender Reference(ChatTemplateKind kind, string name) => _renders[(kind, name)];

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        IReadOnlyList<CorpusConversation> corpus = ChatTemplateCorpus.All;
        foreach (ChatTemplateKind kind in (ChatTemplateKind[])[ChatTemplateKind.Llama2Chat, ChatTemplateKind.MistralInstruct])
        {
            IReadOnlyList<OfficialRender> renders = await OfficialTemplates.ReferenceAsync(
                OfficialTemplates.For(kind), [.. corpus.Select(conversation => (IReadOnlyList<ChatMessage>)conversation.Messages)]);
            for (int i = 0; i < corpus.Count; i++)
            {
                _renders[(kind, corpus[i].Name)] = renders[i];
            }
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;
}
