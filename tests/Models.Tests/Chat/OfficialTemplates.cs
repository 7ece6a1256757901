using System.Text.Json;
using System.Text.Json.Nodes;
using Ember.Models.Chat;
using Ember.Tests.Shared;

namespace Ember.Models.Tests.Chat;

/// <summary>
/// Hugging Face's official chat templates (the <c>chat_template</c> of each repository's <c>tokenizer_config.json</c>,
/// kept in <c>scripts/real-tokenizers/templates/</c>), rendered by <c>official/render.mjs</c> with the pinned
/// <c>@huggingface/jinja</c>, as transformers' <c>apply_chat_template</c> renders them.
/// </summary>
/// <remarks>
/// A missing <c>node</c> or <c>npm</c>, a failed install or a failing script fails the tests that use it; nothing is
/// skipped. Thread-safe: each call is its own <c>node</c> process.
/// </remarks>
internal static class OfficialTemplates
{
    /// <summary>The file of <c>meta-llama/Llama-2-7b-chat-hf</c>'s template.</summary>
    public const string Llama2Chat = "llama-2-chat.jinja";

    /// <summary>The file of <c>mistralai/Mistral-7B-Instruct-v0.1</c>'s template.</summary>
    public const string MistralInstruct = "mistral-instruct-v0.1.jinja";

    private static readonly NodePackage Package = NodePackage.FromAssemblyMetadata("OfficialChatTemplatesFolder");

    /// <summary>The official template file that a kind of Ember's templates stands for.</summary>
    /// <param name="kind">Llama 2 chat or Mistral Instruct.</param>
    /// <returns>The file's name in <c>scripts/real-tokenizers/templates/</c>.</returns>
    public static string For(ChatTemplateKind kind) => kind switch
    {
        ChatTemplateKind.Llama2Chat => Llama2Chat,
        ChatTemplateKind.MistralInstruct => MistralInstruct,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No official template stands for this kind."),
    };

    /// <summary>Reads a template: the file's text without its trailing newline (the file's, not the template's).</summary>
    /// <param name="file">The file's name in <c>scripts/real-tokenizers/templates/</c>.</param>
    /// <returns>The Jinja source.</returns>
    public static string Source(string file)
    {
        string text = File.ReadAllText(Path.Combine(RealTokenizers.RepositoryRoot, "scripts", "real-tokenizers", "templates", file));
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    /// <summary>
    /// The official text Ember's template must equal: the whole conversation rendered, or, when it ends with an
    /// assistant message, transformers' <c>continue_final_message</c> of it; an assistant message of only white space
    /// at the end is left out (no prefill: the text that asks for the answer to the user message before it).
    /// </summary>
    /// <param name="file">The template's file.</param>
    /// <param name="conversations">The conversations.</param>
    /// <returns>One render per conversation, in order.</returns>
    public static async Task<IReadOnlyList<OfficialRender>> ReferenceAsync(string file, IReadOnlyList<IReadOnlyList<ChatMessage>> conversations)
    {
        var cases = conversations.Select(messages =>
        {
            ChatMessage last = messages[^1];
            bool blankPrefill = last.Role == ChatRole.Assistant && last.Content.Trim(PythonWhiteSpace).Length == 0;
            return blankPrefill
                ? (messages.Take(messages.Count - 1).ToArray(), false)
                : (messages.ToArray(), last.Role == ChatRole.Assistant);
        }).ToArray();
        return await RenderAsync(file, cases);
    }

    /// <summary>Renders conversations with a template, in one run of <c>render.mjs</c>.</summary>
    /// <param name="file">The template's file.</param>
    /// <param name="cases">Each conversation, and whether to continue its final message.</param>
    /// <param name="semantics">
    /// <c>"python"</c> to render as transformers does (Python's <c>strip()</c>, <c>==</c> and <c>!=</c>), or
    /// <c>"javascript"</c> to render with <c>@huggingface/jinja</c> as it is (see <c>render.mjs</c>).
    /// </param>
    /// <returns>One render per case, in order.</returns>
    public static async Task<IReadOnlyList<OfficialRender>> RenderAsync(
        string file,
        IReadOnlyList<(ChatMessage[] Messages, bool ContinueFinalMessage)> cases,
        string semantics = "python")
    {
        var input = new JsonObject
        {
            ["template"] = Source(file),
            ["bos_token"] = "<s>",
            ["eos_token"] = "</s>",
            ["semantics"] = semantics,
            ["cases"] = new JsonArray([.. cases.Select(item => (JsonNode)new JsonObject
            {
                ["messages"] = new JsonArray([.. item.Messages.Select(message => (JsonNode)new JsonObject
                {
                    ["role"] = message.Role.ToApiName(),
                    ["content"] = message.Content,
                })]),
                ["continue_final_message"] = item.ContinueFinalMessage,
            })]),
        };
        ProcessResult run = await Package.RunAsync("render.mjs", standardInput: input.ToJsonString());
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"render.mjs failed ({run.ExitCode}):\n{run.Stderr}\n{run.Stdout}");
        }

        using JsonDocument output = JsonDocument.Parse(run.Stdout);
        OfficialRender[] results = [.. output.RootElement.GetProperty("results").EnumerateArray().Select(result => new OfficialRender(
            result.TryGetProperty("text", out JsonElement text) ? text.GetString() : null,
            result.TryGetProperty("error", out JsonElement error) ? error.GetString() : null))];
        return results.Length == cases.Count
            ? results
            : throw new InvalidOperationException($"render.mjs gave {results.Length} results for {cases.Count} cases:\n{run.Stdout}");
    }

    /// <summary>Python's <c>str.isspace()</c> characters, for the tests' own stripping.</summary>
    public static char[] PythonWhiteSpace { get; } =
    [
        '\u0009', '\u000A', '\u000B', '\u000C', '\u000D', '\u001C', '\u001D', '\u001E', '\u001F', '\u0020', '\u0085',
        '\u00A0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008',
        '\u2009', '\u200A', '\u2028', '\u2029', '\u202F', '\u205F', '\u3000',
    ];
}
