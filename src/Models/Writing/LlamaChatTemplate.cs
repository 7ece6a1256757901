namespace Ember.Models.Writing;

/// <summary>The Llama-2-chat prompt format, as the Jinja chat template that Hugging Face ships with Llama-2-7b-chat-hf.</summary>
/// <remarks>
/// A conversation renders as
/// <c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt;\n\n{user} [/INST] {answer} &lt;/s&gt;&lt;s&gt;[INST] {user} [/INST]</c>:
/// the system message joins the first user turn, roles must alternate user/assistant, contents are stripped, and
/// the template adds the BOS token itself (so the tokenizer must not add another).
/// </remarks>
public static class LlamaChatTemplate
{
    /// <summary>The Jinja source of the template; it reads <c>messages</c>, <c>bos_token</c> and <c>eos_token</c>.</summary>
    public const string Jinja =
        "{% if messages[0]['role'] == 'system' %}"
        + "{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
        + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
        + "{% for message in loop_messages %}"
        + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        + "{% if loop.index0 == 0 and system_message != false %}"
        + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
        + "{% else %}{% set content = message['content'] %}{% endif %}"
        + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
        + "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}"
        + "{% endfor %}";
}
