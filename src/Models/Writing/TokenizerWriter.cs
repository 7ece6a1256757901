using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ember.Models.Writing;

/// <summary>
/// Writes the Hugging Face tokenizer files of Ember's own Llama-style model: <c>tokenizer.json</c> shaped exactly like
/// a Llama-2 tokenizer's, and <c>tokenizer_config.json</c> with the Llama-2-chat template.
/// </summary>
/// <remarks>
/// The output is byte-identical on every call: keys in a fixed order, two-space indentation, <c>\n</c> line endings,
/// UTF-8 without a byte order mark, non-ASCII written as itself. No BOS is added by the tokenizer's post-processor;
/// ORT GenAI encodes without special tokens by default and the chat template adds <c>&lt;s&gt;</c> itself.
/// All members are thread-safe.
/// </remarks>
public static class TokenizerWriter
{
    /// <summary>The file name of the tokenizer itself.</summary>
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>The file name of the tokenizer's configuration (special tokens, chat template).</summary>
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>The <c>model_max_length</c> written to the configuration: the model's context length.</summary>
    public const int ModelMaxLength = 2048;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <c>tokenizer.json</c> and <c>tokenizer_config.json</c> into a folder, creating it if needed.</summary>
    /// <param name="directory">The folder; existing files of the same names are replaced.</param>
    /// <param name="vocabulary">The vocabulary to write.</param>
    /// <param name="cancellationToken">Cancels the writing.</param>
    /// <returns>A task that completes when both files are written.</returns>
    public static async Task WriteAsync(string directory, LlamaVocabulary vocabulary, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(
            Path.Combine(directory, TokenizerFileName), TokenizerJsonBytes(vocabulary), cancellationToken).ConfigureAwait(false);
        await File.WriteAllBytesAsync(
            Path.Combine(directory, TokenizerConfigFileName), TokenizerConfigJsonBytes(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the text of <c>tokenizer.json</c> for a vocabulary.</summary>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <returns>The JSON text, ending with a line feed.</returns>
    public static string TokenizerJson(LlamaVocabulary vocabulary) => Encoding.UTF8.GetString(TokenizerJsonBytes(vocabulary));

    /// <summary>Returns the text of <c>tokenizer_config.json</c>.</summary>
    /// <returns>The JSON text, ending with a line feed.</returns>
    public static string TokenizerConfigJson() => Encoding.UTF8.GetString(TokenizerConfigJsonBytes());

    private static byte[] TokenizerJsonBytes(LlamaVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("version", "1.0");
            writer.WriteNull("truncation");
            writer.WriteNull("padding");

            writer.WriteStartArray("added_tokens");
            foreach (var id in (int[])[LlamaVocabulary.UnkId, LlamaVocabulary.BosId, LlamaVocabulary.EosId])
            {
                writer.WriteStartObject();
                writer.WriteNumber("id", id);
                writer.WriteString("content", vocabulary.Tokens[id]);
                writer.WriteBoolean("single_word", false);
                writer.WriteBoolean("lstrip", false);
                writer.WriteBoolean("rstrip", false);
                writer.WriteBoolean("normalized", false);
                writer.WriteBoolean("special", true);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartObject("normalizer");
            writer.WriteString("type", "Sequence");
            writer.WriteStartArray("normalizers");
            writer.WriteStartObject();
            writer.WriteString("type", "Prepend");
            writer.WriteString("prepend", LlamaVocabulary.WordBoundary);
            writer.WriteEndObject();
            WriteReplace(writer, " ", LlamaVocabulary.WordBoundary);
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteNull("pre_tokenizer");
            writer.WriteNull("post_processor");

            writer.WriteStartObject("decoder");
            writer.WriteString("type", "Sequence");
            writer.WriteStartArray("decoders");
            WriteReplace(writer, LlamaVocabulary.WordBoundary, " ");
            writer.WriteStartObject();
            writer.WriteString("type", "ByteFallback");
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("type", "Fuse");
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("type", "Strip");
            writer.WriteString("content", " ");
            writer.WriteNumber("start", 1);
            writer.WriteNumber("stop", 0);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteStartObject("model");
            writer.WriteString("type", "BPE");
            writer.WriteNull("dropout");
            writer.WriteString("unk_token", LlamaVocabulary.UnkToken);
            writer.WriteNull("continuing_subword_prefix");
            writer.WriteNull("end_of_word_suffix");
            writer.WriteBoolean("fuse_unk", true);
            writer.WriteBoolean("byte_fallback", true);
            writer.WriteStartObject("vocab");
            for (var id = 0; id < vocabulary.Tokens.Count; id++)
            {
                writer.WriteNumber(vocabulary.Tokens[id], id);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("merges");
            foreach (var (left, right) in vocabulary.Merges)
            {
                writer.WriteStringValue(left + " " + right);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private static byte[] TokenizerConfigJsonBytes() => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteBoolean("add_bos_token", true);
        writer.WriteBoolean("add_eos_token", false);
        writer.WriteString("bos_token", LlamaVocabulary.BosToken);
        writer.WriteString("chat_template", LlamaChatTemplate.Jinja);
        writer.WriteBoolean("clean_up_tokenization_spaces", false);
        writer.WriteString("eos_token", LlamaVocabulary.EosToken);
        writer.WriteBoolean("legacy", false);
        writer.WriteNumber("model_max_length", ModelMaxLength);
        writer.WriteNull("pad_token");
        writer.WriteString("padding_side", "right");
        writer.WriteString("tokenizer_class", "LlamaTokenizer");
        writer.WriteString("unk_token", LlamaVocabulary.UnkToken);
        writer.WriteEndObject();
    });

    private static void WriteReplace(Utf8JsonWriter writer, string pattern, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Replace");
        writer.WriteStartObject("pattern");
        writer.WriteString("String", pattern);
        writer.WriteEndObject();
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
