using Ember.Models.Catalog;
using Ember.Runtime.Options;
using Ember.Runtime.Pool;

namespace Ember.Runtime.Tests.Pool;

/// <summary>
/// The limits a model is served with: the catalog's, each configured override replacing its value, then lowered to
/// the model's own context length; the configured context limit is reported when that lowered it.
/// </summary>
public sealed class ServedLimitsTests
{
    private static readonly CatalogEntry Tiny = ModelCatalog.Get(ModelCatalog.TinyLlamaId);

    private static readonly CatalogEntry Llama2Fp16 = ModelCatalog.Get(ModelCatalog.Llama2ChatFp16Id);

    private static ModelOptions Options(LimitOverrides? overrides = null) =>
        new() { Folder = "unused", Variant = ModelVariant.Int8, Limits = overrides ?? new LimitOverrides() };

    [Theory]
    [InlineData(2048)]
    [InlineData(4096)]
    [InlineData(int.MaxValue)]
    public void Resolve_ContextAtLeastTheCatalogs_IsTheCatalogsLimits(int contextLength)
    {
        var (limits, clampedFrom) = ServedLimits.Resolve(Tiny, Options(), contextLength);

        Assert.Equal(new ModelLimits(256, 256, 2048, 1024), limits);
        Assert.Equal(Tiny.Limits, limits);
        Assert.Null(clampedFrom);
    }

    [Theory]
    [InlineData(3071, 256, 2500, 3071, 2500)]
    [InlineData(2500, 256, 2500, 2500, 2500)]
    [InlineData(2048, 256, 2048, 2048, 2048)]
    [InlineData(256, 256, 256, 256, 256)]
    [InlineData(100, 100, 100, 100, 100)]
    [InlineData(1, 1, 1, 1, 1)]
    public void Resolve_ContextBelowTheCatalogs_LowersEveryLimitAboveIt(int contextLength, int defaultMax, int streamMax, int context, int sequence)
    {
        var (limits, clampedFrom) = ServedLimits.Resolve(Llama2Fp16, Options(), contextLength);

        Assert.Equal(new ModelLimits(defaultMax, streamMax, context, sequence), limits);
        Assert.Equal(3072, clampedFrom);
    }

    [Fact]
    public void Resolve_EveryOverride_ReplacesTheCatalogs()
    {
        var overrides = new LimitOverrides { DefaultMaxTokens = 100, DefaultMaxTokensStream = 300, ContextTokensLimit = 1024, SequenceTokensLimit = 512 };

        var (limits, clampedFrom) = ServedLimits.Resolve(Tiny, Options(overrides), 2048);

        Assert.Equal(new ModelLimits(100, 300, 1024, 512), limits);
        Assert.Null(clampedFrom);
    }

    [Fact]
    public void Resolve_OneOverride_KeepsTheCatalogsOtherValues()
    {
        var (limits, clampedFrom) = ServedLimits.Resolve(Tiny, Options(new LimitOverrides { DefaultMaxTokensStream = 1000 }), 2048);

        Assert.Equal(new ModelLimits(256, 1000, 2048, 1024), limits);
        Assert.Null(clampedFrom);
    }

    [Theory]
    [InlineData(1024, 100, 300, 1024, 512, null)]
    [InlineData(800, 100, 300, 800, 512, 1024)]
    [InlineData(512, 100, 300, 512, 512, 1024)]
    [InlineData(200, 100, 200, 200, 200, 1024)]
    [InlineData(50, 50, 50, 50, 50, 1024)]
    public void Resolve_OverridesThenTheModelsContext_LowersToTheContext(int contextLength, int defaultMax, int streamMax, int context, int sequence, int? expectedClampedFrom)
    {
        var overrides = new LimitOverrides { DefaultMaxTokens = 100, DefaultMaxTokensStream = 300, ContextTokensLimit = 1024, SequenceTokensLimit = 512 };

        var (limits, clampedFrom) = ServedLimits.Resolve(Tiny, Options(overrides), contextLength);

        Assert.Equal(new ModelLimits(defaultMax, streamMax, context, sequence), limits);
        Assert.Equal(expectedClampedFrom, clampedFrom);
    }

    [Theory]
    [InlineData(16_384, 8192, 4096, null)]
    [InlineData(8192, 8192, 4096, null)]
    [InlineData(4096, 4096, 4096, 8192)]
    [InlineData(3000, 3000, 3000, 8192)]
    public void Resolve_OverrideAboveTheCatalog_IsStillCappedByTheModelsContext(int contextLength, int context, int sequence, int? expectedClampedFrom)
    {
        var overrides = new LimitOverrides { ContextTokensLimit = 8192, SequenceTokensLimit = 4096 };

        var (limits, clampedFrom) = ServedLimits.Resolve(Tiny, Options(overrides), contextLength);

        Assert.Equal(new ModelLimits(256, 256, context, sequence), limits);
        Assert.Equal(expectedClampedFrom, clampedFrom);
    }

    [Fact]
    public void Resolve_InconsistentOverrides_ThrowsListingTheBrokenRule()
    {
        var error = Assert.Throws<ArgumentException>(() => ServedLimits.Resolve(Tiny, Options(new LimitOverrides { ContextTokensLimit = 512 }), 2048));

        Assert.Equal("Invalid model limits: SequenceTokensLimit (1024) must not exceed ContextTokensLimit (512).", error.Message);
    }

    [Fact]
    public void Resolve_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("entry", () => ServedLimits.Resolve(null!, Options(), 2048));
        Assert.Throws<ArgumentNullException>("options", () => ServedLimits.Resolve(Tiny, null!, 2048));
    }
}
