using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Ember.Models.Chat;

namespace Ember.Models.Catalog;

/// <summary>
/// The fixed list of models Ember serves: the four text-generation models of the 2023 Workers AI catalog
/// and Ember's own tiny model.
/// </summary>
/// <remarks>
/// <para>
/// Limits come from the 2023 text-generation page wherever it gives them. Where it gives none, the
/// context limit is the model's own context length (marked <see cref="ContextLimitSource.ModelContextLength"/>),
/// and the sequence limit is the page's streaming default: on every entry where the page does give a
/// sequence limit, it equals the streaming default, so a user asking for up to that many tokens gets them
/// and a larger request is refused rather than silently truncated.
/// </para>
/// <para>Lookups are by exact, case-sensitive id. The catalog is immutable and safe to use from any thread.</para>
/// </remarks>
public static class ModelCatalog
{
    /// <summary>The <c>max_tokens</c> the Workers AI schema uses when a request gives none (256).</summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>The id of Meta's Llama 2 7B chat model, full precision (fp16).</summary>
    public const string Llama2ChatFp16Id = "@cf/meta/llama-2-7b-chat-fp16";

    /// <summary>The id of Meta's Llama 2 7B chat model, quantized (int8).</summary>
    public const string Llama2ChatInt8Id = "@cf/meta/llama-2-7b-chat-int8";

    /// <summary>The id of Mistral 7B Instruct v0.1.</summary>
    public const string MistralInstructId = "@cf/mistral/mistral-7b-instruct-v0.1";

    /// <summary>The id of CodeLlama 7B (the base model, no chat tuning).</summary>
    public const string CodeLlamaId = "@hf/codellama/codellama-7b-hf";

    /// <summary>The id of Ember's own tiny Llama-architecture model, used for tests and smoke runs.</summary>
    public const string TinyLlamaId = "@ember/tiny-llama";

    /// <summary>Meta Llama 2 7B chat, fp16: 256 / 2500 (stream), context 3072, sequence 2500, all from the page.</summary>
    public static CatalogEntry Llama2ChatFp16 { get; } = new(
        Llama2ChatFp16Id,
        "llama-2-7b-chat-fp16",
        "Full precision (fp16) generative text model with 7 billion parameters from Meta",
        ModelSource.Cloudflare,
        new ModelLimits(defaultMaxTokens: DefaultMaxTokens, defaultMaxTokensStream: 2500, contextTokensLimit: 3072, sequenceTokensLimit: 2500),
        ChatTemplateKind.Llama2Chat,
        [ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4],
        ContextLimitSource.CatalogPage);

    /// <summary>Meta Llama 2 7B chat, int8: 256 / 1800 (stream), context 2048, sequence 1800, all from the page.</summary>
    public static CatalogEntry Llama2ChatInt8 { get; } = new(
        Llama2ChatInt8Id,
        "llama-2-7b-chat-int8",
        "Quantized (int8) generative text model with 7 billion parameters from Meta",
        ModelSource.Cloudflare,
        new ModelLimits(defaultMaxTokens: DefaultMaxTokens, defaultMaxTokensStream: 1800, contextTokensLimit: 2048, sequenceTokensLimit: 1800),
        ChatTemplateKind.Llama2Chat,
        [ModelVariant.Int8, ModelVariant.Fp16, ModelVariant.Int4],
        ContextLimitSource.CatalogPage);

    /// <summary>
    /// Mistral 7B Instruct v0.1: 256 / 1800 (stream) from the page. The page gives no context or sequence
    /// limit: the context limit is the model's own 8192 positions (its attention uses a 4096-token sliding
    /// window, so text further back than 4096 tokens is seen only indirectly), and the sequence limit is the
    /// streaming default, 1800, following the pattern of the entries the page does give.
    /// </summary>
    public static CatalogEntry MistralInstruct { get; } = new(
        MistralInstructId,
        "mistral-7b-instruct-v0.1",
        "Instruct fine-tuned version of the Mistral-7b generative text model with 7 billion parameters",
        ModelSource.Cloudflare,
        new ModelLimits(defaultMaxTokens: DefaultMaxTokens, defaultMaxTokensStream: 1800, contextTokensLimit: 8192, sequenceTokensLimit: 1800),
        ChatTemplateKind.MistralInstruct,
        [ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4],
        ContextLimitSource.ModelContextLength);

    /// <summary>
    /// CodeLlama 7B (base model, plain-text prompts): 256 / 1800 (stream) from the page. The page gives no
    /// context or sequence limit: the context limit is the model's own 16384, and the sequence limit is the
    /// streaming default, 1800, following the pattern of the entries the page does give.
    /// </summary>
    public static CatalogEntry CodeLlama { get; } = new(
        CodeLlamaId,
        "codellama-7b-hf",
        "Generative text model built on top of Llama 2, fine-tuned for generating and discussing code",
        ModelSource.HuggingFace,
        new ModelLimits(defaultMaxTokens: DefaultMaxTokens, defaultMaxTokensStream: 1800, contextTokensLimit: 16384, sequenceTokensLimit: 1800),
        ChatTemplateKind.PlainText,
        [ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4],
        ContextLimitSource.ModelContextLength);

    /// <summary>
    /// Ember's own tiny Llama-architecture model (Llama-2 chat template), written by the project for tests:
    /// 256 / 256 (stream), context 2048, sequence 1024. The defaults are the API's 256 for both forms, so a
    /// test run stays short whether it streams or not; the sequence limit of half the context leaves the
    /// other half for the prompt.
    /// </summary>
    public static CatalogEntry TinyLlama { get; } = new(
        TinyLlamaId,
        "tiny-llama",
        "Ember's own tiny Llama-architecture model with deterministic weights, for tests and smoke runs",
        ModelSource.Ember,
        new ModelLimits(defaultMaxTokens: DefaultMaxTokens, defaultMaxTokensStream: DefaultMaxTokens, contextTokensLimit: 2048, sequenceTokensLimit: 1024),
        ChatTemplateKind.Llama2Chat,
        [ModelVariant.Fp32, ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4],
        ContextLimitSource.Project);

    private static readonly FrozenDictionary<string, CatalogEntry> ById =
        new[] { Llama2ChatFp16, Llama2ChatInt8, MistralInstruct, CodeLlama, TinyLlama }
            .ToFrozenDictionary(entry => entry.Id, StringComparer.Ordinal);

    /// <summary>Gets every entry, in catalog order (the 2023 page's order, then Ember's own model).</summary>
    public static IReadOnlyList<CatalogEntry> All { get; } = [Llama2ChatFp16, Llama2ChatInt8, MistralInstruct, CodeLlama, TinyLlama];

    /// <summary>Looks an entry up by its exact (case-sensitive) id.</summary>
    /// <param name="id">The model id, as given in the request path.</param>
    /// <param name="entry">The entry when found; otherwise <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the catalog has a model with this id.</returns>
    public static bool TryGet([NotNullWhen(true)] string? id, [NotNullWhen(true)] out CatalogEntry? entry)
    {
        if (id is null)
        {
            entry = null;
            return false;
        }

        return ById.TryGetValue(id, out entry);
    }

    /// <summary>Gets an entry by its exact (case-sensitive) id.</summary>
    /// <param name="id">The model id.</param>
    /// <returns>The entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="KeyNotFoundException">No model has this id.</exception>
    public static CatalogEntry Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return TryGet(id, out CatalogEntry? entry)
            ? entry
            : throw new KeyNotFoundException($"No model with id '{id}' is in the catalog.");
    }
}
