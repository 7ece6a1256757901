using Ember.Models.Chat;
using Ember.Models.Writing;

namespace Ember.Models.Tests.Chat;

/// <summary>
/// Ember's Llama 2 and Mistral templates, through <see cref="PromptBuilder"/> as the services call them, against the
/// official Hugging Face templates (<c>meta-llama/Llama-2-7b-chat-hf</c>, <c>mistralai/Mistral-7B-Instruct-v0.1</c>)
/// rendered by <c>@huggingface/jinja</c> on <see cref="ChatTemplateCorpus"/>.
/// </summary>
public sealed class OfficialChatTemplateTests(OfficialChatTemplateFixture official) : IClassFixture<OfficialChatTemplateFixture>
{
    public static TheoryData<ChatTemplateKind, string> Matching { get; } = Cases(OfficialOutcome.Matches);

    public static TheoryData<ChatTemplateKind, string> Raising { get; } = Cases(OfficialOutcome.Raises);

    public static TheoryData<ChatTemplateKind, string> Differing { get; } = Cases(OfficialOutcome.Differs);

    [Theory]
    [MemberData(nameof(Matching))]
    public void FromMessages_ConversationTheOfficialTemplateAccepts_IsTheOfficialText(ChatTemplateKind kind, string name)
    {
        OfficialRender reference = official.Reference(kind, name);

        Assert.Null(reference.Error);
        Assert.Equal(reference.Text, Render(kind, name));
    }

    [Theory]
    [MemberData(nameof(Raising))]
    public void FromMessages_ConversationTheOfficialTemplateRejects_IsEmbersText(ChatTemplateKind kind, string name)
    {
        TemplateExpectation expected = ChatTemplateCorpus.ByName[name].For(kind);

        Assert.Equal(new OfficialRender(null, expected.Official), official.Reference(kind, name));
        Assert.Equal(expected.Ember, Render(kind, name));
    }

    [Theory]
    [MemberData(nameof(Differing))]
    public void FromMessages_ConversationEmberRendersOtherwise_IsEmbersText(ChatTemplateKind kind, string name)
    {
        TemplateExpectation expected = ChatTemplateCorpus.ByName[name].For(kind);

        Assert.Equal(new OfficialRender(expected.Official, null), official.Reference(kind, name));
        Assert.Equal(expected.Ember, Render(kind, name));
    }

    [Fact]
    public void Corpus_Always_HasThirtyConversationsBothOfficialTemplatesAccept()
    {
        Assert.True(
            ChatTemplateCorpus.All.Count(conversation => conversation.Llama2.Outcome == OfficialOutcome.Matches
                && conversation.Mistral.Outcome == OfficialOutcome.Matches) >= 30);
    }

    [Theory]
    [InlineData(ChatTemplateKind.Llama2Chat, "Tell me a story")]
    [InlineData(ChatTemplateKind.MistralInstruct, "Tell me a story")]
    [InlineData(ChatTemplateKind.Llama2Chat, "  spaced \n")]
    [InlineData(ChatTemplateKind.MistralInstruct, "  spaced \n")]
    [InlineData(ChatTemplateKind.Llama2Chat, "")]
    [InlineData(ChatTemplateKind.MistralInstruct, "")]
    public async Task FromPrompt_Prompt_IsTheOfficialTextOfOneUserMessage(ChatTemplateKind kind, string prompt)
    {
        IReadOnlyList<OfficialRender> reference = await OfficialTemplates.ReferenceAsync(
            OfficialTemplates.For(kind), [[new ChatMessage(ChatRole.User, prompt)]]);

        Assert.Equal(reference[0].Text, PromptBuilder.FromPrompt(ChatTemplates.For(kind), prompt));
    }

    [Fact]
    public async Task Reference_JavaScriptStrip_DiffersFromPythonsWhichEmberFollows()
    {
        // @huggingface/jinja's strip() is JavaScript's trim(): it strips U+FEFF and keeps U+001C-U+001F and U+0085,
        // where Python (transformers) does the opposite. render.mjs strips as Python does unless told otherwise.
        ChatMessage[] messages = [new(ChatRole.User, "\uFEFF\u001FHello\u0085")];

        IReadOnlyList<OfficialRender> python = await OfficialTemplates.RenderAsync(OfficialTemplates.Llama2Chat, [(messages, false)]);
        IReadOnlyList<OfficialRender> javaScript = await OfficialTemplates.RenderAsync(OfficialTemplates.Llama2Chat, [(messages, false)], semantics: "javascript");

        Assert.Equal("<s>[INST] \uFEFF\u001FHello [/INST]", python[0].Text);
        Assert.Equal("<s>[INST] \u001FHello\u0085 [/INST]", javaScript[0].Text);
        Assert.Equal(python[0].Text, PromptBuilder.FromMessages(ChatTemplates.Llama2Chat, messages));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    [InlineData("0")]
    public async Task Reference_JavaScriptEquality_DropsTheSystemBlockPythonKeepsAsEmberDoes(string system)
    {
        // @huggingface/jinja's != is JavaScript's loose !=, for which '', ' \n ' and '0' equal false: Llama 2's
        // `system_message != false` then drops the <<SYS>> block that Python (transformers) renders.
        ChatMessage[] messages = [new(ChatRole.System, system), new(ChatRole.User, "Hi")];

        IReadOnlyList<OfficialRender> python = await OfficialTemplates.RenderAsync(OfficialTemplates.Llama2Chat, [(messages, false)]);
        IReadOnlyList<OfficialRender> javaScript = await OfficialTemplates.RenderAsync(OfficialTemplates.Llama2Chat, [(messages, false)], semantics: "javascript");

        Assert.Equal($"<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\nHi [/INST]", python[0].Text);
        Assert.Equal("<s>[INST] Hi [/INST]", javaScript[0].Text);
        Assert.Equal(python[0].Text, PromptBuilder.FromMessages(ChatTemplates.Llama2Chat, messages));
    }

    [Fact]
    public void LlamaChatTemplateJinja_Always_IsTheOfficialTemplate()
    {
        Assert.Equal(LlamaChatTemplate.Jinja, OfficialTemplates.Source(OfficialTemplates.Llama2Chat));
    }

    private static string Render(ChatTemplateKind kind, string name) =>
        PromptBuilder.FromMessages(ChatTemplates.For(kind), ChatTemplateCorpus.ByName[name].Messages);

    private static TheoryData<ChatTemplateKind, string> Cases(OfficialOutcome outcome)
    {
        var cases = new TheoryData<ChatTemplateKind, string>();
        foreach (CorpusConversation conversation in ChatTemplateCorpus.All)
        {
            foreach (ChatTemplateKind kind in (ChatTemplateKind[])[ChatTemplateKind.Llama2Chat, ChatTemplateKind.MistralInstruct])
            {
                if (conversation.For(kind).Outcome == outcome)
                {
                    cases.Add(kind, conversation.Name);
                }
            }
        }

        return cases;
    }
}
