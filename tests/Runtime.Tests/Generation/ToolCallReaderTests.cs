using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Generation;

public sealed class ToolCallReaderTests
{
    private const string TwoCalls = """[TOOL_CALLS][{"name":"get_weather","arguments":{"city":"Pa\"ris","n":[1,{"x":"}"}]}},{"name":"now","arguments":{}}]""";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Read_CallsInPiecesOfAnySize_GiveTheSameCallsAndArgumentPiecesThatJoinToTheArguments(int size)
    {
        var reader = new ToolCallReader(enabled: true);
        var events = new List<ToolCallEvent>();
        for (int at = 0; at < TwoCalls.Length; at += size)
        {
            events.AddRange(reader.Read(TwoCalls.Substring(at, Math.Min(size, TwoCalls.Length - at))));
        }

        events.AddRange(reader.Finish());

        Assert.True(reader.Complete);
        Assert.Equal(["get_weather", "now"], reader.Calls.Select(call => call.Name));
        Assert.Equal(["""{"city":"Pa\"ris","n":[1,{"x":"}"}]}""", "{}"], reader.Calls.Select(call => call.Arguments));
        Assert.DoesNotContain(events, e => e.Kind == ToolCallEventKind.Text);
        Assert.Equal([(ToolCallEventKind.CallStarted, 0), (ToolCallEventKind.CallDone, 0), (ToolCallEventKind.CallStarted, 1), (ToolCallEventKind.CallDone, 1)], events.Where(e => e.Kind is ToolCallEventKind.CallStarted or ToolCallEventKind.CallDone).Select(e => (e.Kind, e.Index)));
        Assert.Equal(reader.Calls[0].Arguments, string.Concat(events.Where(e => e is { Kind: ToolCallEventKind.Arguments, Index: 0 }).Select(e => e.Text)));
        Assert.Equal(reader.Calls[0].Id, events.First(e => e.Kind == ToolCallEventKind.CallStarted).Id);
        Assert.Matches("^call_[0-9a-f]{24}$", reader.Calls[1].Id);
    }

    [Theory]
    [InlineData("Hello", "Hello")]
    [InlineData("[1, 2]", "[1, 2]")]
    [InlineData("[TOOL", "[TOOL")]
    [InlineData("   [TOOL_CALLS][]", "   [TOOL_CALLS][]")]
    [InlineData(" \n", " \n")]
    public void ReadAll_AutoTextAnswer_IsTheTextWithNoCalls(string answer, string text)
    {
        var (read, calls) = ToolCallReader.ReadAll(answer, ToolChoice.Auto);

        Assert.Equal(text, read);
        Assert.Empty(calls);
    }

    [Fact]
    public void Read_TextAfterAPossibleMarker_IsHeldThenSentWhole()
    {
        var reader = new ToolCallReader(enabled: true);

        Assert.Empty(reader.Read(" [TO"));
        Assert.Equal([new ToolCallEvent(ToolCallEventKind.Text, 0, " [TOP 10]")], reader.Read("P 10]"));
        Assert.Equal([new ToolCallEvent(ToolCallEventKind.Text, 0, "!")], reader.Read("!"));
    }

    [Theory]
    [InlineData("""[TOOL_CALLS][{"name":"now","arguments":{"a":1""")]
    [InlineData("""[TOOL_CALLS][{"name":"now","arguments":{}}""")]
    [InlineData("""[TOOL_C""")]
    public void ReadAll_RequiredCutShort_IsNeitherTextNorACall(string answer)
    {
        var (text, calls) = ToolCallReader.ReadAll(answer, ToolChoice.Required);

        Assert.Equal((string.Empty, 0), (text, calls.Count));
    }

    [Fact]
    public void ReadAll_NoTools_IsAllText()
    {
        Assert.Equal(TwoCalls, ToolCallReader.ReadAll(TwoCalls, ToolChoice.None).Text);
    }
}
