using System.Text;
using System.Text.Json;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Tests.Structured;

public sealed class JsonGrammarTests
{
    private static readonly JsonGrammar AnyValue = JsonGrammar.ForAnyValue(requireObject: false);
    private static readonly JsonGrammar AnyObject = JsonGrammar.ForAnyValue(requireObject: true);

    [Theory]
    [InlineData("{}", "complete final")]
    [InlineData("[]", "complete final")]
    [InlineData("{\"a\":[1,2,{\"b\":null}],\"c\":true,\"a\":\"\"}", "complete final")]
    [InlineData("[[],[[]],{},[{}]]", "complete final")]
    [InlineData("\"q\\\" bs\\\\ sl\\/ \\b\\f\\n\\r\\t \\u00e9\\u20AC\"", "complete final")]
    [InlineData("\"h\u00e9llo \u20ac \U0001D11E \u007f\"", "complete final")]
    [InlineData("\"\\ud834\\udd1e\"", "complete final")]
    [InlineData("true", "complete final")]
    [InlineData("false", "complete final")]
    [InlineData("null", "complete final")]
    [InlineData("-0", "complete")]
    [InlineData("0", "complete")]
    [InlineData("0.5e+3", "complete")]
    [InlineData("1E-7", "complete")]
    [InlineData("-12.250", "complete")]
    [InlineData("[-0,0.5e+3,1e9]", "complete final")]
    [InlineData("", "incomplete")]
    [InlineData("-", "incomplete")]
    [InlineData("1.", "incomplete")]
    [InlineData("1e", "incomplete")]
    [InlineData("1e+", "incomplete")]
    [InlineData("tru", "incomplete")]
    [InlineData("{\"a\":", "incomplete")]
    [InlineData("\"\\ud834", "incomplete")]
    public void Feed_ValidPrefixes_AcceptedWithCompleteness(string text, string expected) =>
        Assert.Equal(expected, ConstraintRun.Feed(AnyValue, text));

    [Theory]
    [InlineData("01", "rejected at 1")]
    [InlineData("-01", "rejected at 2")]
    [InlineData("+1", "rejected at 0")]
    [InlineData(".5", "rejected at 0")]
    [InlineData("1.e5", "rejected at 2")]
    [InlineData("1e5.0", "rejected at 3")]
    [InlineData("{ }", "rejected at 1")]
    [InlineData(" {}", "rejected at 0")]
    [InlineData("{}\n", "rejected at 2")]
    [InlineData("[1,]", "rejected at 3")]
    [InlineData("[1 ]", "rejected at 2")]
    [InlineData("[1]]", "rejected at 3")]
    [InlineData("{,}", "rejected at 1")]
    [InlineData("{\"a\":1,}", "rejected at 7")]
    [InlineData("{\"a\" :1}", "rejected at 4")]
    [InlineData("{\"a\"}", "rejected at 4")]
    [InlineData("{1:2}", "rejected at 1")]
    [InlineData("nul1", "rejected at 3")]
    [InlineData("True", "rejected at 0")]
    [InlineData("\"a\nb\"", "rejected at 2")]
    [InlineData("\"a\tb\"", "rejected at 2")]
    [InlineData("\"\\x\"", "rejected at 2")]
    [InlineData("\"\\u00g0\"", "rejected at 5")]
    [InlineData("\"\\udc00\"", "rejected at 4")]
    [InlineData("\"\\ud800x\"", "rejected at 7")]
    [InlineData("\"\\ud800\\u0041\"", "rejected at 9")]
    [InlineData("\"a\"\"", "rejected at 3")]
    [InlineData("1 ", "rejected at 1")]
    public void Feed_InvalidJson_RejectedAtTheExactByte(string text, string expected) =>
        Assert.Equal(expected, ConstraintRun.Feed(AnyValue, text));

    [Theory]
    [InlineData(new byte[] { 0x22, 0xC0, 0x80, 0x22 }, "rejected at 1")] // overlong NUL
    [InlineData(new byte[] { 0x22, 0xC1, 0xBF, 0x22 }, "rejected at 1")] // overlong
    [InlineData(new byte[] { 0x22, 0xE0, 0x80, 0x80, 0x22 }, "rejected at 2")] // overlong three bytes
    [InlineData(new byte[] { 0x22, 0xED, 0xA0, 0x80, 0x22 }, "rejected at 2")] // UTF-16 surrogate
    [InlineData(new byte[] { 0x22, 0xF0, 0x80, 0x80, 0x80, 0x22 }, "rejected at 2")] // overlong four bytes
    [InlineData(new byte[] { 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22 }, "rejected at 2")] // above U+10FFFF
    [InlineData(new byte[] { 0x22, 0xF5, 0x80, 0x80, 0x80, 0x22 }, "rejected at 1")]
    [InlineData(new byte[] { 0x22, 0x80, 0x22 }, "rejected at 1")] // lone continuation
    [InlineData(new byte[] { 0x22, 0xC3, 0x28, 0x22 }, "rejected at 2")] // missing continuation
    [InlineData(new byte[] { 0x22, 0xE2, 0x82, 0x22 }, "rejected at 3")] // truncated euro sign
    [InlineData(new byte[] { 0x22, 0xFF, 0x22 }, "rejected at 1")]
    [InlineData(new byte[] { 0x22, 0x00, 0x22 }, "rejected at 1")]
    [InlineData(new byte[] { 0x22, 0xED, 0x9F, 0xBF, 0xF4, 0x8F, 0xBF, 0xBF, 0x22 }, "complete final")] // U+D7FF, U+10FFFF
    public void Feed_Utf8InStrings_OnlyValidSequencesAccepted(byte[] bytes, string expected) =>
        Assert.Equal(expected, ConstraintRun.Feed(AnyValue, bytes));

    [Theory]
    [InlineData("{}", "complete final")]
    [InlineData("{\"k\":[1,\"x\",{\"n\":-2.5E3}]}", "complete final")]
    [InlineData("[]", "rejected at 0")]
    [InlineData("1", "rejected at 0")]
    [InlineData("\"s\"", "rejected at 0")]
    [InlineData("null", "rejected at 0")]
    public void Feed_RequireObject_OnlyAnObjectAtTheTop(string text, string expected) =>
        Assert.Equal(expected, ConstraintRun.Feed(AnyObject, text));

    [Theory]
    [InlineData("[[]]", "complete final")]
    [InlineData("[{}]", "complete final")]
    [InlineData("[[[", "rejected at 2")]
    [InlineData("{\"a\":{\"b\":{", "rejected at 10")]
    [InlineData("[[1,\"x\"]]", "complete final")]
    public void Feed_DeeperThanTheBound_Rejected(string text, string expected) =>
        Assert.Equal(expected, ConstraintRun.Feed(JsonGrammar.ForAnyValue(requireObject: false, maxDepth: 2), text));

    [Fact]
    public void Advance_SameStateTwice_LeavesTheStateUnchanged()
    {
        var state = AnyValue.Start;
        foreach (byte b in "[1"u8)
        {
            state = AnyValue.Advance(state, b)!;
        }

        var closed = AnyValue.Advance(state, (byte)']')!;
        var longer = AnyValue.Advance(state, (byte)'2')!;
        var comma = AnyValue.Advance(state, (byte)',')!;

        Assert.True(AnyValue.IsFinal(closed));
        Assert.False(AnyValue.IsComplete(longer));
        Assert.False(AnyValue.IsComplete(comma));
        Assert.True(AnyValue.IsFinal(AnyValue.Advance(longer, (byte)']')!));
        Assert.Null(AnyValue.Advance(comma, (byte)']'));
        Assert.True(AnyValue.IsFinal(AnyValue.Advance(state, (byte)']')!));
    }

    [Fact]
    public void Start_IsNeitherCompleteNorFinal()
    {
        Assert.False(AnyValue.IsComplete(AnyValue.Start));
        Assert.False(AnyValue.IsFinal(AnyValue.Start));
    }

    [Fact]
    public void Walk_RandomBytes_EveryTextParses()
    {
        var random = new Random(20240611);
        int complete = 0;
        for (int walk = 0; walk < 50; walk++)
        {
            var (text, isComplete) = ConstraintRun.Walk(AnyObject, random, 2000);
            if (isComplete)
            {
                complete++;
                using var document = JsonDocument.Parse(text);
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
                Assert.Equal(text, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(text)));
            }
        }

        Assert.True(complete >= 25, $"only {complete} of 50 walks ended");
    }
}
