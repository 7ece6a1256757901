using System.Text.Json;
using Ember.Models.Catalog;
using Ember.Models.Writing;

namespace Ember.Models.Tests.Writing;

[Collection(TinyModelCollectionDefinition.Name)]
public sealed class GenAIConfigWriterTests(TinyModelFolder folder)
{
    public static TheoryData<ModelVariant> Variants { get; } = [.. LlamaModelWriter.AllVariants];

    [Fact]
    public async Task WriteAllAsync_Tiny_WritesBuilderModelSection()
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder.Directory(ModelVariant.Fp32), "genai_config.json")));
        var model = json.RootElement.GetProperty("model");

        Assert.Equal("llama", model.GetProperty("type").GetString());
        Assert.Equal(LlamaVocabulary.Size, model.GetProperty("vocab_size").GetInt32());
        Assert.Equal(LlamaShape.Tiny.ContextLength, model.GetProperty("context_length").GetInt32());
        Assert.Equal(LlamaVocabulary.BosId, model.GetProperty("bos_token_id").GetInt32());
        Assert.Equal(LlamaVocabulary.EosId, model.GetProperty("eos_token_id").GetInt32());
        Assert.Equal(LlamaVocabulary.UnkId, model.GetProperty("pad_token_id").GetInt32());

        var decoder = model.GetProperty("decoder");
        Assert.Equal("model.onnx", decoder.GetProperty("filename").GetString());
        Assert.Equal(16, decoder.GetProperty("head_size").GetInt32());
        Assert.Equal(64, decoder.GetProperty("hidden_size").GetInt32());
        Assert.Equal(4, decoder.GetProperty("num_attention_heads").GetInt32());
        Assert.Equal(2, decoder.GetProperty("num_key_value_heads").GetInt32());
        Assert.Equal(2, decoder.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(
            [("input_ids", "input_ids"), ("attention_mask", "attention_mask"), ("past_key_names", "past_key_values.%d.key"), ("past_value_names", "past_key_values.%d.value")],
            decoder.GetProperty("inputs").EnumerateObject().Select(p => (p.Name, p.Value.GetString())));
        Assert.Equal(
            [("logits", "logits"), ("present_key_names", "present.%d.key"), ("present_value_names", "present.%d.value")],
            decoder.GetProperty("outputs").EnumerateObject().Select(p => (p.Name, p.Value.GetString())));
        Assert.Equal(0, decoder.GetProperty("session_options").GetProperty("provider_options").GetArrayLength());
    }

    [Fact]
    public async Task WriteAllAsync_Tiny_WritesGreedySearchDefaults()
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder.Directory(ModelVariant.Fp32), "genai_config.json")));
        var search = json.RootElement.GetProperty("search");

        // GroupQueryAttention writes the new KV in place, so past and present share one buffer.
        Assert.True(search.GetProperty("past_present_share_buffer").GetBoolean());
        Assert.False(search.GetProperty("do_sample").GetBoolean());
        Assert.Equal(1, search.GetProperty("top_k").GetInt32());
        Assert.Equal(1, search.GetProperty("num_beams").GetInt32());
        Assert.Equal(LlamaShape.Tiny.ContextLength, search.GetProperty("max_length").GetInt32());
        Assert.Equal(1.0, search.GetProperty("repetition_penalty").GetDouble());
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task WriteAllAsync_EachVariant_WritesTheSameConfig(ModelVariant variant)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(folder.Directory(variant), "genai_config.json"));

        Assert.Equal(GenAIConfigWriter.ToJson(LlamaShape.Tiny, ModelTokenizer.Own), text);
        Assert.DoesNotContain('\r', text);
    }

    [Fact]
    public void ToJson_Small_DescribesSmallShape()
    {
        using var json = JsonDocument.Parse(GenAIConfigWriter.ToJson(LlamaShape.Small, ModelTokenizer.Own));
        var decoder = json.RootElement.GetProperty("model").GetProperty("decoder");

        Assert.Equal(
            (64, 512, 8, 4, 8),
            (decoder.GetProperty("head_size").GetInt32(), decoder.GetProperty("hidden_size").GetInt32(), decoder.GetProperty("num_attention_heads").GetInt32(),
                decoder.GetProperty("num_key_value_heads").GetInt32(), decoder.GetProperty("num_hidden_layers").GetInt32()));
    }
}
