using Ember.Runtime.Generation;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

public sealed class FinishRuleTests
{
    /// <summary>Each case: token, stopped, generated, max tokens, context full, the reason (null: it goes on). The end token is 2.</summary>
    [Theory]
    [InlineData(2, false, 1, 10, false, FinishReason.Stop)]
    [InlineData(2, false, 10, 10, true, FinishReason.Stop)]
    [InlineData(7, true, 10, 10, true, FinishReason.Stop)]
    [InlineData(7, false, 10, 10, false, FinishReason.Length)]
    [InlineData(7, false, 3, 10, true, FinishReason.Length)]
    [InlineData(7, false, 9, 10, false, null)]
    public void Decide_Cases_GiveTheReason(int token, bool stopped, int generated, int maxTokens, bool contextFull, FinishReason? expected) =>
        Assert.Equal(expected, FinishRule.Decide(token, 2, stopped, generated, maxTokens, contextFull));
}
