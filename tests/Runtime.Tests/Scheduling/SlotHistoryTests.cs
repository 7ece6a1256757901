using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

public sealed class SlotHistoryTests
{
    private static readonly int[] Prompt = [.. Enumerable.Range(1, 40)];

    [Theory]
    [InlineData(-1, -1, 0)]
    [InlineData(2, 2, 0)]
    [InlineData(-1, 0, -1)]
    [InlineData(1, 0, -1)]
    [InlineData(0, -1, -1)]
    public void Find_KeptEntries_MatchOnlyThePromptOfTheSameAdapter(int made, int asked, int expectedSource)
    {
        var history = new SlotHistory(2, 64, enabled: true);
        history.Begin(0, Prompt, made);
        history.Retain(0, Prompt.Length);

        var (source, shared) = history.Find(Prompt, [Prompt.Length, 0], asked);

        Assert.Equal(expectedSource, source);
        Assert.Equal(expectedSource < 0 ? 0 : Prompt.Length - 1, shared);
    }

    [Fact]
    public void Move_KeptEntries_KeepTheirAdapter()
    {
        var history = new SlotHistory(2, 64, enabled: true);
        history.Begin(0, Prompt, 1);
        history.Retain(0, Prompt.Length);

        history.Move(0, 1);

        Assert.Equal((1, Prompt.Length - 1), history.Find(Prompt, [0, Prompt.Length], 1));
        Assert.Equal((-1, 0), history.Find(Prompt, [0, Prompt.Length], -1));
    }
}
