using Ember.Models.Catalog;
using Ember.Models.Chat;

namespace Ember.Models.Tests.Catalog;

public class ModelCatalogTests
{
    [Theory]
    [InlineData("@cf/meta/llama-2-7b-chat-fp16", 256, 2500, 3072, 2500, ContextLimitSource.CatalogPage)]
    [InlineData("@cf/meta/llama-2-7b-chat-int8", 256, 1800, 2048, 1800, ContextLimitSource.CatalogPage)]
    [InlineData("@cf/mistral/mistral-7b-instruct-v0.1", 256, 1800, 8192, 1800, ContextLimitSource.ModelContextLength)]
    [InlineData("@hf/codellama/codellama-7b-hf", 256, 1800, 16384, 1800, ContextLimitSource.ModelContextLength)]
    [InlineData("@ember/tiny-llama", 256, 256, 2048, 1024, ContextLimitSource.Project)]
    public void TryGet_KnownId_HasExactLimits(
        string id, int defaultMaxTokens, int defaultMaxTokensStream, int contextTokensLimit, int sequenceTokensLimit, ContextLimitSource source)
    {
        Assert.True(ModelCatalog.TryGet(id, out CatalogEntry? entry));

        Assert.Equal(id, entry.Id);
        Assert.Equal(defaultMaxTokens, entry.Limits.DefaultMaxTokens);
        Assert.Equal(defaultMaxTokensStream, entry.Limits.DefaultMaxTokensStream);
        Assert.Equal(contextTokensLimit, entry.Limits.ContextTokensLimit);
        Assert.Equal(sequenceTokensLimit, entry.Limits.SequenceTokensLimit);
        Assert.Equal(source, entry.ContextLimitSource);
    }

    [Theory]
    [InlineData("@cf/meta/llama-2-7b-chat-fp16", ModelSource.Cloudflare, ChatTemplateKind.Llama2Chat)]
    [InlineData("@cf/meta/llama-2-7b-chat-int8", ModelSource.Cloudflare, ChatTemplateKind.Llama2Chat)]
    [InlineData("@cf/mistral/mistral-7b-instruct-v0.1", ModelSource.Cloudflare, ChatTemplateKind.MistralInstruct)]
    [InlineData("@hf/codellama/codellama-7b-hf", ModelSource.HuggingFace, ChatTemplateKind.PlainText)]
    [InlineData("@ember/tiny-llama", ModelSource.Ember, ChatTemplateKind.Llama2Chat)]
    public void Get_KnownId_HasSourceAndTemplate(string id, ModelSource source, ChatTemplateKind template)
    {
        CatalogEntry entry = ModelCatalog.Get(id);

        Assert.Equal(source, entry.Source);
        Assert.Equal(template, entry.Template);
    }

    [Theory]
    [InlineData("@cf/meta/llama-2-7b-chat-fp16", new[] { ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4 })]
    [InlineData("@cf/meta/llama-2-7b-chat-int8", new[] { ModelVariant.Int8, ModelVariant.Fp16, ModelVariant.Int4 })]
    [InlineData("@cf/mistral/mistral-7b-instruct-v0.1", new[] { ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4 })]
    [InlineData("@hf/codellama/codellama-7b-hf", new[] { ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4 })]
    [InlineData("@ember/tiny-llama", new[] { ModelVariant.Fp32, ModelVariant.Fp16, ModelVariant.Int8, ModelVariant.Int4 })]
    public void Get_KnownId_HasVariantsPreferredFirst(string id, ModelVariant[] variants)
    {
        CatalogEntry entry = ModelCatalog.Get(id);

        Assert.Equal(variants, entry.Variants);
        Assert.Equal(variants[0], entry.DefaultVariant);
    }

    [Fact]
    public void All_Entries_FollowPageOrderThenEmber()
    {
        Assert.Equal(
            [ModelCatalog.Llama2ChatFp16Id, ModelCatalog.Llama2ChatInt8Id, ModelCatalog.MistralInstructId, ModelCatalog.CodeLlamaId, ModelCatalog.TinyLlamaId],
            ModelCatalog.All.Select(entry => entry.Id));
    }

    [Fact]
    public void All_Ids_AreUnique()
    {
        Assert.Equal(ModelCatalog.All.Count, ModelCatalog.All.Select(entry => entry.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void All_EachEntry_StreamDefaultWithinSequenceWithinContext()
    {
        Assert.All(ModelCatalog.All, entry =>
        {
            Assert.InRange(entry.Limits.DefaultMaxTokens, 1, entry.Limits.SequenceTokensLimit);
            Assert.InRange(entry.Limits.DefaultMaxTokensStream, 1, entry.Limits.SequenceTokensLimit);
            Assert.True(entry.Limits.SequenceTokensLimit <= entry.Limits.ContextTokensLimit, entry.Id);
        });
    }

    [Fact]
    public void All_EachEntry_UsesApiDefaultMaxTokens()
    {
        Assert.Equal(256, ModelCatalog.DefaultMaxTokens);
        Assert.All(ModelCatalog.All, entry => Assert.Equal(ModelCatalog.DefaultMaxTokens, entry.Limits.DefaultMaxTokens));
    }

    [Fact]
    public void All_EachEntry_IdPrefixMatchesSource()
    {
        Assert.All(ModelCatalog.All, entry =>
        {
            string prefix = entry.Source switch
            {
                ModelSource.Cloudflare => "@cf/",
                ModelSource.HuggingFace => "@hf/",
                _ => "@ember/",
            };
            Assert.StartsWith(prefix, entry.Id, StringComparison.Ordinal);
            Assert.EndsWith("/" + entry.Name, entry.Id, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void All_Fp32_OnlyForTinyModel()
    {
        Assert.Equal([ModelCatalog.TinyLlamaId], ModelCatalog.All.Where(entry => entry.Supports(ModelVariant.Fp32)).Select(entry => entry.Id));
    }

    [Theory]
    [InlineData("@cf/meta/llama-2-13b-chat")]
    [InlineData("@CF/meta/llama-2-7b-chat-fp16")]
    [InlineData("@cf/meta/Llama-2-7b-chat-fp16")]
    [InlineData("@cf/meta/llama-2-7b-chat-fp16 ")]
    [InlineData("llama-2-7b-chat-fp16")]
    [InlineData("")]
    [InlineData(null)]
    public void TryGet_UnknownId_ReturnsFalse(string? id)
    {
        Assert.False(ModelCatalog.TryGet(id, out CatalogEntry? entry));
        Assert.Null(entry);
    }

    [Fact]
    public void Get_UnknownId_ThrowsKeyNotFound()
    {
        Assert.Throws<KeyNotFoundException>(() => ModelCatalog.Get("@cf/nobody/nothing"));
    }
}
