namespace Ember.Models.Chat;

/// <summary>
/// Gives the chat template for each <see cref="ChatTemplateKind"/>.
/// </summary>
/// <remarks>The templates are shared, stateless instances, safe to use from any thread.</remarks>
public static class ChatTemplates
{
    /// <summary>Gets the shared Llama 2 chat template.</summary>
    public static Llama2ChatTemplate Llama2Chat { get; } = new();

    /// <summary>Gets the shared Mistral Instruct template.</summary>
    public static MistralInstructTemplate MistralInstruct { get; } = new();

    /// <summary>Gets the shared plain-text template.</summary>
    public static PlainTextTemplate PlainText { get; } = new();

    /// <summary>Gets the template that renders a given format.</summary>
    /// <param name="kind">The format.</param>
    /// <returns>The shared template for <paramref name="kind"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public static IChatTemplate For(ChatTemplateKind kind) => kind switch
    {
        ChatTemplateKind.Llama2Chat => Llama2Chat,
        ChatTemplateKind.MistralInstruct => MistralInstruct,
        ChatTemplateKind.PlainText => PlainText,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Undefined chat template kind."),
    };
}
