using System.Globalization;
using System.Text.Json;
using Ember.Models.Lora;
using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>
/// What a continuously batched decoder needs to know of a model folder, read from its <c>genai_config.json</c>:
/// the decoder file, its sizes and the names of its inputs and outputs.
/// </summary>
/// <param name="ModelPath">The decoder's ONNX file.</param>
/// <param name="Layers">Decoder layers.</param>
/// <param name="KvHeads">Key/value heads.</param>
/// <param name="HeadSize">Width of one head.</param>
/// <param name="VocabSize">Width of the logits.</param>
/// <param name="ContextLength">The model's own context length.</param>
/// <param name="InputIds">Name of the token input.</param>
/// <param name="AttentionMask">Name of the mask input.</param>
/// <param name="Logits">Name of the logits output.</param>
/// <param name="PastKey">Past key input names by layer.</param>
/// <param name="PastValue">Past value input names by layer.</param>
/// <param name="PresentKey">Present key output names by layer.</param>
/// <param name="PresentValue">Present value output names by layer.</param>
/// <param name="Types">Element types of the token input, the mask, the cache and the logits, read from the graph.</param>
/// <param name="QuerySeqlens">
/// Name of the graph's <c>query_seqlens</c> input (int32 [rows], fed to every <c>GroupQueryAttention</c>: valid tokens of
/// each right-padded row, and logits of each row's last valid position only), which Ember's own models have; null for a
/// graph without it (the model builder's exports), whose rows with past context take one token each.
/// </param>
internal sealed record DecoderLayout(
    string ModelPath,
    int Layers,
    int KvHeads,
    int HeadSize,
    int VocabSize,
    int ContextLength,
    string InputIds,
    string AttentionMask,
    string Logits,
    string[] PastKey,
    string[] PastValue,
    string[] PresentKey,
    string[] PresentValue,
    DecoderTypes Types,
    string? QuerySeqlens)
{
    /// <summary>The name of the <c>query_seqlens</c> graph input that <see cref="QuerySeqlens"/> looks for.</summary>
    public const string QuerySeqlensInput = "query_seqlens";

    /// <summary>
    /// The sizes adapters are checked against when the graph takes LoRA adapters per row (it has the
    /// <see cref="LoraGraphInputs.RowAdapters"/> input, as Ember's own models do); null when it takes none.
    /// </summary>
    public LoraTargetShape? Lora { get; init; }

    /// <summary>The sizes of the graph's attention projections, from the configuration, whether it takes adapters or not.</summary>
    public required LoraTargetShape Projections { get; init; }

    /// <summary>
    /// Whether the LoRA inputs of <see cref="Lora"/> are not in the file but added to the graph when it loads
    /// (<see cref="LoraGraft"/>, a model builder export that is to serve adapters).
    /// </summary>
    public bool AddsLoraInputs { get; init; }

    /// <summary>
    /// The layout of the graph with LoRA inputs added when it loads (<see cref="AddsLoraInputs"/>), or
    /// <see langword="null"/> when they cannot be: the graph has them already, or is in Ember's packed form
    /// (<see cref="QuerySeqlens"/>), whose projections take packed tokens. A model builder export can.
    /// </summary>
    public DecoderLayout? WithLoraInputsAdded() =>
        Lora is null && QuerySeqlens is null ? this with { Lora = Projections, AddsLoraInputs = true } : null;

    /// <summary>The name of the <c>logit_counts</c> graph input that <see cref="LogitCounts"/> looks for.</summary>
    public const string LogitCountsInput = "logit_counts";

    /// <summary>
    /// Name of the graph's <c>logit_counts</c> input (int32 [rows], beside <see cref="QuerySeqlens"/>: how many of each
    /// row's last valid positions return logits), which Ember's own models have and speculative decoding needs to
    /// verify drafted tokens; null for a graph without it.
    /// </summary>
    public string? LogitCounts { get; init; }

    /// <summary>Tokens a cache slot holds when the model is served with <paramref name="contextLimit"/>: at most the model's own context length.</summary>
    public int SlotLength(int contextLimit) => Math.Min(contextLimit, ContextLength);

    /// <summary>Reads the layout of the model in <paramref name="folder"/>.</summary>
    /// <exception cref="AiTextGenerationException">The configuration cannot be read or lacks a field the decoder needs.</exception>
    public static DecoderLayout Read(string folder) => From(ModelConfigFile.Read(folder));

    /// <summary>The layout of a model whose configuration is read.</summary>
    /// <exception cref="AiTextGenerationException">The configuration lacks a field the decoder needs.</exception>
    public static DecoderLayout From(ModelConfigFile config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var folder = config.Folder;
        try
        {
            var model = config.Model;
            var decoder = model.GetProperty("decoder");
            var inputs = decoder.GetProperty("inputs");
            var outputs = decoder.GetProperty("outputs");
            var layers = decoder.GetProperty("num_hidden_layers").GetInt32();
            string[] Names(JsonElement section, string key) =>
                [.. Enumerable.Range(0, layers).Select(i => section.GetProperty(key).GetString()!.Replace("%d", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))];
            var modelPath = config.DecoderPath ?? throw new KeyNotFoundException();
            var pastKey = Names(inputs, "past_key_names");
            var inputIds = inputs.GetProperty("input_ids").GetString()!;
            var attentionMask = inputs.GetProperty("attention_mask").GetString()!;
            var logits = outputs.GetProperty("logits").GetString()!;
            var signature = OnnxGraphSignature.Read(modelPath);
            var types = new DecoderTypes(signature[inputIds], signature[attentionMask], signature[pastKey[0]], signature[logits]);
            types.Validate();
            var querySeqlens = signature.Contains(QuerySeqlensInput) ? QuerySeqlensInput : null;
            if (querySeqlens is not null && signature[querySeqlens] != TensorElementType.Int32)
            {
                throw new InvalidDataException($"The graph's {QuerySeqlensInput} input is {signature[querySeqlens]}; GroupQueryAttention takes int32.");
            }

            var projections = new LoraTargetShape(layers, decoder.GetProperty("num_attention_heads").GetInt32(), decoder.GetProperty("num_key_value_heads").GetInt32(), decoder.GetProperty("head_size").GetInt32());
            return new DecoderLayout(
                modelPath,
                layers,
                decoder.GetProperty("num_key_value_heads").GetInt32(),
                decoder.GetProperty("head_size").GetInt32(),
                model.GetProperty("vocab_size").GetInt32(),
                config.ContextLength,
                inputIds,
                attentionMask,
                logits,
                pastKey,
                Names(inputs, "past_value_names"),
                Names(outputs, "present_key_names"),
                Names(outputs, "present_value_names"),
                types,
                querySeqlens)
            {
                LogitCounts = querySeqlens is not null && signature.Contains(LogitCountsInput) ? CheckedInt32(signature, LogitCountsInput) : null,
                Projections = projections,
                Lora = signature.Contains(LoraGraphInputs.RowAdapters) ? projections : null,
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException or IOException or InvalidDataException or NotSupportedException)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"The model in {folder} has no decoder layout the continuous scheduler can run: {e.Message}", e);
        }
    }

    private static string CheckedInt32(OnnxGraphSignature signature, string input) =>
        signature[input] == TensorElementType.Int32 ? input : throw new InvalidDataException($"The graph's {input} input is {signature[input]}; Ember feeds int32.");
}
