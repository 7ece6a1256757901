using Ember.Models.Chat;

namespace Ember.Models.Tests.Chat;

/// <summary>
/// The conversations Ember's Llama 2 and Mistral templates are compared on with the official Hugging Face templates,
/// each with what Ember must render for each template: the official text, or, where the official template raises or
/// renders something Ember does not (docs/chat-templates.md), an exact text of Ember's own.
/// </summary>
internal static class ChatTemplateCorpus
{
    private const string RolesMustAlternate = "Conversation roles must alternate user/assistant/user/assistant/...";
    private const string OnlyUserAndAssistant = "Only user and assistant roles are supported!";

    /// <summary>Gets every conversation, by name.</summary>
    public static IReadOnlyDictionary<string, CorpusConversation> ByName { get; } = Build().ToDictionary(item => item.Name);

    /// <summary>Gets every conversation, in order.</summary>
    public static IReadOnlyList<CorpusConversation> All { get; } = [.. ByName.Values];

    private static IEnumerable<CorpusConversation> Build()
    {
        // Both official templates accept these: Ember renders what they render.
        yield return Same("one_user", U("Hello"));
        yield return Same("two_exchanges", U("Hello"), A("Hi there."), U("And you?"));
        yield return Same("three_exchanges", U("U1"), A("A1"), U("U2"), A("A2"), U("U3"));
        yield return Same("four_exchanges", U("U1"), A("A1"), U("U2"), A("A2"), U("U3"), A("A3"), U("U4"));
        yield return Same("four_exchanges_answered", U("U1"), A("A1"), U("U2"), A("A2"), U("U3"), A("A3"), U("U4"), A("A4 "));
        yield return Same("prefill", U("Name a colour."), A("The colour is"));
        yield return Same("prefill_after_exchanges", U("Q1"), A("A1"), U("Q2"), A("Well,"));
        yield return Same("prefill_trailing_space", U("What is 6 x 7?"), A("The answer is "));
        yield return Same("prefill_trailing_spaces", U("What is 6 x 7?"), A("The answer is  "));
        yield return Same("prefill_trailing_newline", U("List the steps."), A("Step 1:\n"));
        yield return Same("prefill_leading_spaces", U("Agree?"), A("  Sure"));
        yield return Same("prefill_both_edges", U("Agree?"), A("\tSure thing \n"));
        yield return Same("prefill_empty", U("Hi"), A(string.Empty));
        yield return Same("prefill_white_space", U("Hi"), A(" \n\t"));
        yield return Same("prefill_empty_after_exchanges", U("Q1"), A("A1"), U("Q2"), A(string.Empty));
        yield return Same("prefill_with_markup", U("Quote the tag."), A("The tag is [/INST] and"));
        yield return Same("prefill_emoji", U("Pick an animal."), A("🦙 "));
        yield return Same("empty_user", U(string.Empty));
        yield return Same("white_space_user", U("  \n "));
        yield return Same("empty_assistant_midway", U("A"), A(string.Empty), U("B"));
        yield return Same("empty_user_last", U("A"), A("B"), U(string.Empty));
        yield return Same("user_edges", U("  Hello  \n"));
        yield return Same("edges_everywhere", U("\n\tQ1 "), A("  A1\n"), U(" Q2\t"));
        yield return Same("inner_white_space", U("line 1\n\n  line 2\n"), A("a  b\n\nc"), U("x\ty"));
        yield return Same("unicode", U("Grüße, 世界! 🦙🔥"), A("안녕하세요 👋🏽"), U("مرحبا بالعالم"));
        yield return Same("unicode_white_space_edges", U("\u3000全角\u3000"), A("\u00A0nbsp\u2003"), U("\u2028x\u2029\u202F"));
        yield return Same("python_only_white_space", U("\u001FUnit\u001C"), A("\u0085next line\u0085"), U("end\u001E"));
        yield return Same("byte_order_mark_edges", U("\uFEFFBOM\uFEFF"), A("\uFEFFok"), U("\u200Bzero width\u200B"));
        yield return Same("literal_markup", U("What does [INST] mean?"), A("It opens [INST] ... [/INST]."), U("And </s>?"));
        yield return Same("literal_eos_in_answer", U("Q"), A("ends with </s>"), U("ok"));
        yield return Same("literal_bos", U("<s>hi</s>"));
        yield return Same("code", U("```python\nprint('hi')\n```\n"), A("Output:\n```\nhi\n```"), U("thanks"));

        // A first system message: Llama 2's template accepts it, Mistral v0.1's raises; Ember puts the system text
        // before the first user text, joined with a blank line, as Mistral's later templates do.
        yield return new("system_user", [S("Be brief."), U("Hello")],
            Official, Raises(RolesMustAlternate, "<s>[INST] Be brief.\n\nHello [/INST]"));
        yield return new("system_two_exchanges", [S("Be brief."), U("Hello"), A("Hi there."), U("And you?")],
            Official, Raises(RolesMustAlternate, "<s>[INST] Be brief.\n\nHello [/INST]Hi there.</s> [INST] And you? [/INST]"));
        yield return new("system_four_exchanges", [S("S"), U("U1"), A("A1"), U("U2"), A("A2"), U("U3"), A("A3"), U("U4")],
            Official, Raises(RolesMustAlternate, "<s>[INST] S\n\nU1 [/INST]A1</s> [INST] U2 [/INST]A2</s> [INST] U3 [/INST]A3</s> [INST] U4 [/INST]"));
        yield return new("system_edges", [S("  Be brief. \n"), U("\tHello  ")],
            Official, Raises(RolesMustAlternate, "<s>[INST]   Be brief. \n\n\n\tHello   [/INST]"));
        yield return new("system_empty", [S(string.Empty), U("Hello")],
            Official, Raises(RolesMustAlternate, "<s>[INST] Hello [/INST]"));
        yield return new("system_white_space", [S(" \n "), U("Hello")],
            Official, Raises(RolesMustAlternate, "<s>[INST]  \n \n\nHello [/INST]"));
        yield return new("system_zero", [S("0"), U("Hello")],
            Official, Raises(RolesMustAlternate, "<s>[INST] 0\n\nHello [/INST]"));
        yield return new("system_empty_user", [S("S"), U(string.Empty)],
            Official, Raises(RolesMustAlternate, "<s>[INST] S [/INST]"));
        yield return new("system_prefill", [S("S"), U("Q"), A("Sure,")],
            Official, Raises(RolesMustAlternate, "<s>[INST] S\n\nQ [/INST]Sure,"));
        yield return new("system_prefill_empty", [S("S"), U("Q"), A(string.Empty)],
            Official, Raises(RolesMustAlternate, "<s>[INST] S\n\nQ [/INST]"));
        yield return new("system_unicode", [S("Réponds en français 🇫🇷"), U("Bonjour")],
            Official, Raises(RolesMustAlternate, "<s>[INST] Réponds en français 🇫🇷\n\nBonjour [/INST]"));
        yield return new("system_literal_markup", [S("Never write [/INST] or </s>."), U("ok")],
            Official, Raises(RolesMustAlternate, "<s>[INST] Never write [/INST] or </s>.\n\nok [/INST]"));

        // Both official templates raise: Ember merges runs of one role, and answers an assistant message that comes
        // first as if an empty user message came before it.
        yield return new("consecutive_users", [U("A"), U("B")],
            Raises(RolesMustAlternate, "<s>[INST] A\n\nB [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] A\n\nB [/INST]"));
        yield return new("consecutive_users_edges", [U("A "), U(" B")],
            Raises(RolesMustAlternate, "<s>[INST] A \n\n B [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] A \n\n B [/INST]"));
        yield return new("consecutive_users_with_empty", [U("A"), U(string.Empty), U("B")],
            Raises(RolesMustAlternate, "<s>[INST] A\n\nB [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] A\n\nB [/INST]"));
        yield return new("consecutive_assistants", [U("A"), A("B"), A("C"), U("D")],
            Raises(RolesMustAlternate, "<s>[INST] A [/INST] B\n\nC </s><s>[INST] D [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] A [/INST]B\n\nC</s> [INST] D [/INST]"));
        yield return new("consecutive_assistants_prefill", [U("Q"), A("Part one."), A("Part two")],
            Raises(RolesMustAlternate, "<s>[INST] Q [/INST] Part one.\n\nPart two"),
            Raises(RolesMustAlternate, "<s>[INST] Q [/INST]Part one.\n\nPart two"));
        yield return new("assistant_first", [A("Welcome!"), U("Hi")],
            Raises(RolesMustAlternate, "<s>[INST]  [/INST] Welcome! </s><s>[INST] Hi [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST]  [/INST]Welcome!</s> [INST] Hi [/INST]"));
        yield return new("system_then_assistant", [S("S"), A("W"), U("H")],
            Raises(RolesMustAlternate, "<s>[INST] <<SYS>>\nS\n<</SYS>> [/INST] W </s><s>[INST] H [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] S [/INST]W</s> [INST] H [/INST]"));
        yield return new("system_not_first", [U("A"), A("B"), S("S"), U("C")],
            Raises(RolesMustAlternate, "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nA [/INST] B </s><s>[INST] C [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] S\n\nA [/INST]B</s> [INST] C [/INST]"));
        yield return new("two_systems_first", [S("X"), S("Y"), U("A")],
            Raises(RolesMustAlternate, "<s>[INST] <<SYS>>\nX\n\nY\n<</SYS>>\n\nA [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] X\n\nY\n\nA [/INST]"));

        // The official template renders these, but not as Ember does (docs/chat-templates.md says why).
        yield return new("system_only", [S("Be brief.")],
            Differs(string.Empty, "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>> [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] Be brief. [/INST]"));
        yield return new("system_after_first_user", [S("X"), U("A"), S("Y")],
            Differs("<s>[INST] <<SYS>>\nX\n<</SYS>>\n\nA [/INST]", "<s>[INST] <<SYS>>\nX\n\nY\n<</SYS>>\n\nA [/INST]"),
            Raises(RolesMustAlternate, "<s>[INST] X\n\nY\n\nA [/INST]"));
        yield return new("system_between_users", [U("A"), S("S"), U("B")],
            Differs("<s>[INST] A [/INST]<s>[INST] B [/INST]", "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nA\n\nB [/INST]"),
            Raises(OnlyUserAndAssistant, "<s>[INST] S\n\nA\n\nB [/INST]"));
        yield return new("prefill_found_in_eos", [U("Q"), A("s")],
            Differs("<s>[INST] Q [/INST] s </s", "<s>[INST] Q [/INST] s"),
            Differs("<s>[INST] Q [/INST]s</s", "<s>[INST] Q [/INST]s"));
        yield return new("prefill_eos_literal", [U("Q"), A("</s>")],
            Differs("<s>[INST] Q [/INST] </s> </s>", "<s>[INST] Q [/INST] </s>"),
            Differs("<s>[INST] Q [/INST]</s></s>", "<s>[INST] Q [/INST]</s>"));
    }

    private static TemplateExpectation Official => new(OfficialOutcome.Matches, null, null);

    private static CorpusConversation Same(string name, params ChatMessage[] messages) => new(name, messages, Official, Official);

    private static TemplateExpectation Raises(string error, string ember) => new(OfficialOutcome.Raises, error, ember);

    private static TemplateExpectation Differs(string official, string ember) => new(OfficialOutcome.Differs, official, ember);

    private static ChatMessage S(string content) => new(ChatRole.System, content);

    private static ChatMessage U(string content) => new(ChatRole.User, content);

    private static ChatMessage A(string content) => new(ChatRole.Assistant, content);
}
