using Ember.Models.Catalog;

namespace Ember.Models.Tests.Catalog;

public class ModelLimitsTests
{
    private readonly ModelLimits _limits = new(defaultMaxTokens: 256, defaultMaxTokensStream: 1800, contextTokensLimit: 2048, sequenceTokensLimit: 1800);

    [Theory]
    [InlineData(0, 256, 2048, 1800)]
    [InlineData(256, -1, 2048, 1800)]
    [InlineData(256, 256, 2048, 0)]
    [InlineData(2000, 256, 2048, 1800)]
    [InlineData(256, 2500, 3072, 1800)]
    [InlineData(256, 1800, 1024, 1800)]
    public void Constructor_BrokenRule_ThrowsArgumentException(int defaultMaxTokens, int defaultMaxTokensStream, int context, int sequence)
    {
        Assert.Throws<ArgumentException>(() => new ModelLimits(defaultMaxTokens, defaultMaxTokensStream, context, sequence));
    }

    [Fact]
    public void Validate_SeveralBrokenRules_ReportsEach()
    {
        IReadOnlyList<string> failures = ModelLimits.Validate(defaultMaxTokens: 0, defaultMaxTokensStream: 4000, contextTokensLimit: 1000, sequenceTokensLimit: 2000);

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, failure => failure.StartsWith("DefaultMaxTokens must be positive", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.StartsWith("DefaultMaxTokensStream (4000)", StringComparison.Ordinal));
        Assert.Contains(failures, failure => failure.StartsWith("SequenceTokensLimit (2000)", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ValidValues_ReportsNothing()
    {
        Assert.Empty(ModelLimits.Validate(256, 2500, 3072, 2500));
    }

    [Theory]
    [InlineData(false, 256)]
    [InlineData(true, 1800)]
    public void GetDefaultMaxTokens_StreamFlag_PicksMatchingDefault(bool stream, int expected)
    {
        Assert.Equal(expected, _limits.GetDefaultMaxTokens(stream));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(1800, true)]
    [InlineData(1801, false)]
    [InlineData(0, false)]
    [InlineData(-5, false)]
    public void AllowsMaxTokens_Value_ChecksSequenceLimit(int maxTokens, bool expected)
    {
        Assert.Equal(expected, _limits.AllowsMaxTokens(maxTokens));
    }

    [Theory]
    [InlineData(248, 1800, true)]
    [InlineData(249, 1800, false)]
    [InlineData(2048, 0, true)]
    [InlineData(-1, 10, false)]
    [InlineData(10, -1, false)]
    [InlineData(int.MaxValue, int.MaxValue, false)]
    public void FitsContext_PromptAndOutput_ChecksContextLimit(int promptTokens, int maxTokens, bool expected)
    {
        Assert.Equal(expected, _limits.FitsContext(promptTokens, maxTokens));
    }
}
