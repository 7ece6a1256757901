using System.Globalization;
using System.Text.Json;
using Ember.Models.Writing;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Engine;

/// <summary>
/// A model folder's <c>genai_config.json</c>, parsed once when the model loads: its <c>model</c> section, which the
/// served limits (<see cref="ContextLength"/>) and the continuous decoder's <see cref="DecoderLayout"/> read.
/// </summary>
/// <remarks>Immutable; thread-safe. ORT GenAI reads the file again itself, natively, when it loads the tokenizer or model.</remarks>
internal sealed class ModelConfigFile
{
    private ModelConfigFile(string folder, JsonElement model, int contextLength)
    {
        Folder = folder;
        Model = model;
        ContextLength = contextLength;
    }

    /// <summary>Gets the model folder.</summary>
    public string Folder { get; }

    /// <summary>Gets the <c>model</c> section (a detached copy).</summary>
    public JsonElement Model { get; }

    /// <summary>Gets the model's own context length (<c>model.context_length</c>).</summary>
    public int ContextLength { get; }

    /// <summary>Gets the decoder's ONNX file (<c>model.decoder.filename</c> in <see cref="Folder"/>); <see langword="null"/> when the configuration names none.</summary>
    public string? DecoderPath =>
        Model.TryGetProperty("decoder", out var decoder) && decoder.TryGetProperty("filename", out var name) && name.ValueKind == JsonValueKind.String
            ? Path.Combine(Folder, name.GetString()!)
            : null;

    /// <summary>Reads the file in <paramref name="folder"/>.</summary>
    /// <exception cref="AiTextGenerationException">The file is missing, is not JSON or has no positive integer <c>model.context_length</c>.</exception>
    public static ModelConfigFile Read(string folder)
    {
        var path = Path.Combine(folder, LlamaModelWriter.ConfigFileName);
        try
        {
            using var config = JsonDocument.Parse(File.ReadAllBytes(path));
            var model = config.RootElement.GetProperty("model").Clone();
            var contextLength = model.GetProperty("context_length").GetInt32();
            if (contextLength <= 0)
            {
                throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, string.Create(
                    CultureInfo.InvariantCulture, $"The model's configuration {path} could not be read: model.context_length must be positive but is {contextLength}."));
            }

            return new ModelConfigFile(folder, model, contextLength);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException or IOException or FormatException)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"The model's configuration {path} could not be read: {e.Message}", e);
        }
    }
}
