using Ember.Runtime.Engine;
using HuggingFaceTokenizer = Tokenizers.DotNet.Tokenizer;
using OrtGenAITokenizer = Microsoft.ML.OnnxRuntimeGenAI.Tokenizer;

namespace Ember.Runtime.Tests.Engine;

/// <summary>
/// One real tokenizer (Llama 2's or Mistral 7B's) loaded three times: by Ember (<see cref="GenAIModel"/>, which encodes
/// with <see cref="SentencePieceBpeEncoder"/> and streams with ORT GenAI), by ORT GenAI alone, and by Hugging Face's Rust
/// tokenizers (Tokenizers.DotNet), the independent reference.
/// </summary>
/// <remarks>Owns the native tokenizers; used by one test at a time (its collection does not run in parallel).</remarks>
internal sealed class RealTokenizer : IDisposable
{
    /// <summary>The vocabulary size of both tokenizers.</summary>
    public const int VocabularySize = 32000;

    private RealTokenizer(string name, string folder, string genAIFolder, GenAIModel ember, OrtGenAITokenizer ortGenAI, HuggingFaceTokenizer huggingFace)
    {
        OrtGenAI = ortGenAI;
        Name = name;
        Folder = folder;
        GenAIFolder = genAIFolder;
        Ember = ember;
        HuggingFace = huggingFace;
    }

    /// <summary>The folder's name: <c>llama-2</c> or <c>mistral</c>.</summary>
    public string Name { get; }

    /// <summary>The fetched folder (<c>tokenizer.json</c>, <c>tokenizer_config.json</c>, and for Llama 2 the Hugging Face vectors).</summary>
    public string Folder { get; }

    /// <summary>The ORT GenAI folder: the tokenizer files and a minimal <c>genai_config.json</c>.</summary>
    public string GenAIFolder { get; }

    /// <summary>Ember's tokenizer.</summary>
    public GenAIModel Ember { get; }

    /// <summary>ORT GenAI's own tokenizer of the same folder, whose encoder Ember no longer uses for these tokenizers.</summary>
    public OrtGenAITokenizer OrtGenAI { get; }

    /// <summary>Hugging Face's tokenizer; its <c>Encode</c> adds <c>&lt;s&gt;</c>, its <c>Decode</c> skips special tokens.</summary>
    public HuggingFaceTokenizer HuggingFace { get; }

    /// <summary>
    /// Copies the tokenizer files of <paramref name="folder"/> into <paramref name="genAIFolder"/>, writes the
    /// <c>genai_config.json</c> ORT GenAI's tokenizer needs beside them, and loads both tokenizers.
    /// </summary>
    public static RealTokenizer Load(string folder, string genAIFolder)
    {
        Directory.CreateDirectory(genAIFolder);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(folder, file), Path.Combine(genAIFolder, file));
        }

        File.WriteAllText(Path.Combine(genAIFolder, "genai_config.json"), GenAIConfig);
        var ember = GenAIModel.LoadTokenizer(genAIFolder, ContextLength);
        OrtGenAITokenizer? ortGenAI = null;
        try
        {
            ortGenAI = new OrtGenAITokenizer(genAIFolder);
            return new RealTokenizer(Path.GetFileName(folder), folder, genAIFolder, ember, ortGenAI, new HuggingFaceTokenizer(Path.Combine(folder, "tokenizer.json")));
        }
        catch
        {
            ortGenAI?.Dispose();
            ember.Dispose();
            throw;
        }
    }

    /// <summary>Hugging Face's ids for <paramref name="text"/> without the <c>&lt;s&gt;</c> its <c>Encode</c> puts first.</summary>
    public int[] HuggingFaceEncode(string text)
    {
        var ids = HuggingFace.Encode(text);
        Assert.True(ids is [1, ..], $"Tokenizers.DotNet's Encode starts with <s> (1): [{string.Join(' ', ids)}]");
        return [.. ids.Skip(1).Select(id => checked((int)id))];
    }

    /// <summary>ORT GenAI's ids for <paramref name="text"/> (it adds no <c>&lt;s&gt;</c>).</summary>
    public int[] OrtGenAIEncode(string text)
    {
        using var sequences = OrtGenAI.Encode(text);
        return sequences[0].ToArray();
    }

    /// <summary>Hugging Face's text for <paramref name="ids"/>.</summary>
    public string HuggingFaceDecode(params int[] ids) => HuggingFace.Decode([.. ids.Select(id => checked((uint)id))]);

    /// <inheritdoc/>
    public void Dispose()
    {
        HuggingFace.Dispose();
        OrtGenAI.Dispose();
        Ember.Dispose();
    }

    private const int ContextLength = 4096;

    /// <summary>The fields of <c>Ember.Models.Writing.GenAIConfigWriter</c>'s file that a tokenizer needs, with Llama 2 7B's shape.</summary>
    private const string GenAIConfig = """
        {
          "model": {
            "bos_token_id": 1,
            "context_length": 4096,
            "decoder": {
              "session_options": { "log_id": "onnxruntime-genai", "provider_options": [] },
              "filename": "model.onnx",
              "head_size": 128,
              "hidden_size": 4096,
              "inputs": { "input_ids": "input_ids", "attention_mask": "attention_mask", "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value" },
              "outputs": { "logits": "logits", "present_key_names": "present.%d.key", "present_value_names": "present.%d.value" },
              "num_attention_heads": 32,
              "num_hidden_layers": 32,
              "num_key_value_heads": 32
            },
            "eos_token_id": 2,
            "pad_token_id": 0,
            "type": "llama",
            "vocab_size": 32000
          },
          "search": { "max_length": 4096 }
        }
        """;
}
