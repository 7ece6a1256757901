using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

/// <summary>One conversation of <see cref="ChatTemplateCorpus"/>, and what Ember renders for it with each template.</summary>
/// <param name="Name">The conversation's name in the tests.</param>
/// <param name="Messages">The messages, oldest first.</param>
/// <param name="Llama2">What Ember renders with the Llama 2 template, against the official one.</param>
/// <param name="Mistral">What Ember renders with the Mistral template, against the official one.</param>
internal sealed record CorpusConversation(string Name, ChatMessage[] Messages, TemplateExpectation Llama2, TemplateExpectation Mistral)
{
    /// <summary>The expectation for one of the two templates.</summary>
    /// <param name="kind">Llama 2 chat or Mistral Instruct.</param>
    /// <returns>Its expectation.</returns>
    public TemplateExpectation For(ChatTemplateKind kind) => kind switch
    {
        ChatTemplateKind.Llama2Chat => Llama2,
        ChatTemplateKind.MistralInstruct => Mistral,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No official template stands for this kind."),
    };
}
