namespace Ember.Models.Chat;

/// <summary>
/// The prompt formats Ember knows; <see cref="ChatTemplates.For(ChatTemplateKind)"/> gives the template for each.
/// </summary>
public enum ChatTemplateKind
{
    /// <summary>Meta's Llama 2 chat format, rendered by <see cref="Llama2ChatTemplate"/>.</summary>
    Llama2Chat,

    /// <summary>Mistral 7B Instruct's format, rendered by <see cref="MistralInstructTemplate"/>.</summary>
    MistralInstruct,

    /// <summary>No markup, for base models such as CodeLlama, rendered by <see cref="PlainTextTemplate"/>.</summary>
    PlainText,
}
