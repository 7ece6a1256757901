using System.Text;
using System.Text.Json;

namespace Ember.Models.Writing;

/// <summary>
/// Writes <c>genai_config.json</c> with the fields and values ONNX Runtime GenAI's model builder
/// writes for a Llama decoder with <c>GroupQueryAttention</c>.
/// </summary>
internal static class GenAIConfigWriter
{
    /// <summary>The decoder's file name inside the model folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>Returns the configuration as indented JSON, keys in a fixed order.</summary>
    public static string ToJson(LlamaShape shape, ModelTokenizer tokenizer)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteStartObject("model");
            json.WriteNumber("bos_token_id", tokenizer.BosId);
            json.WriteNumber("context_length", shape.ContextLength);
            json.WriteStartObject("decoder");
            json.WriteStartObject("session_options");
            json.WriteString("log_id", "onnxruntime-genai");
            json.WriteStartArray("provider_options");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("filename", ModelFileName);
            json.WriteNumber("head_size", shape.HeadSize);
            json.WriteNumber("hidden_size", shape.Hidden);
            json.WriteStartObject("inputs");
            json.WriteString("input_ids", "input_ids");
            json.WriteString("attention_mask", "attention_mask");
            json.WriteString("past_key_names", "past_key_values.%d.key");
            json.WriteString("past_value_names", "past_key_values.%d.value");
            json.WriteEndObject();
            json.WriteStartObject("outputs");
            json.WriteString("logits", "logits");
            json.WriteString("present_key_names", "present.%d.key");
            json.WriteString("present_value_names", "present.%d.value");
            json.WriteEndObject();
            json.WriteNumber("num_attention_heads", shape.Heads);
            json.WriteNumber("num_hidden_layers", shape.Layers);
            json.WriteNumber("num_key_value_heads", shape.KvHeads);
            json.WriteEndObject();
            json.WriteNumber("eos_token_id", tokenizer.EosId);
            json.WriteNumber("pad_token_id", tokenizer.PadId);
            json.WriteString("type", "llama");
            json.WriteNumber("vocab_size", shape.VocabSize);
            json.WriteEndObject();
            json.WriteStartObject("search");
            json.WriteNumber("diversity_penalty", 0.0);
            json.WriteBoolean("do_sample", false);
            json.WriteBoolean("early_stopping", true);
            json.WriteNumber("length_penalty", 1.0);
            json.WriteNumber("max_length", shape.ContextLength);
            json.WriteNumber("min_length", 0);
            json.WriteNumber("no_repeat_ngram_size", 0);
            json.WriteNumber("num_beams", 1);
            json.WriteNumber("num_return_sequences", 1);
            json.WriteBoolean("past_present_share_buffer", true);
            json.WriteNumber("repetition_penalty", 1.0);
            json.WriteNumber("temperature", 1.0);
            json.WriteNumber("top_k", 1);
            json.WriteNumber("top_p", 1.0);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
