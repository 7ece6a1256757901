using System.Text;
using System.Text.Json;
using Ember.Runtime.Engine;
using Ember.Runtime.Scheduling;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Tests.Structured;

/// <summary>
/// The structured-output mask on the real Llama 2 vocabulary, as the runtime builds it (<see cref="GenAISequenceTokenizer.TokenMask"/>:
/// special tokens and the end of sequence left out): byte tokens (<c>&lt;0xNN&gt;</c>, id 3 + NN) are single bytes, pieces
/// with <c>▁</c> start with a space, and the mask allows exactly the tokens whose bytes the constraint takes.
/// </summary>
[Collection(RealVocabularyTestGroup.Name)]
public sealed class RealVocabularyTokenMaskTests(RealVocabularyModelFixture models)
{
    private const string Person = """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"email":{"type":"string"}},"required":["name","age"],"additionalProperties":false}""";
    private const string Mood = """{"type":"object","properties":{"ok":{"type":"boolean"},"mood":{"enum":["grün","naïve café","日本","😀"]},"n":{"type":"integer"},"list":{"type":"array","items":{"enum":[1,"x y",null]}}},"required":["ok","mood","n","list"],"additionalProperties":false}""";
    private const string Orders = """{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},"required":["id","tags"]}}},"required":["items"]}""";

    private const int Hello = 15043; // ▁Hello
    private const int Space = 29871; // ▁
    private const int Quote = 29908; // "
    private const int QuoteComma = 613; // ",
    private const int Brace = 29912; // {
    private const int BraceQuote = 6377; // {"
    private const int SpaceBrace = 426; // ▁{
    private const int Sun = 30325; // 日

    public static TheoryData<string> Schemas => new() { Person, Mood, Orders, """{"type":"string"}""", "json_object" };

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Fill_RealVocabularyAlongASeededWalk_AllowsExactlyTheTokensWhoseBytesTheConstraintTakes(string schema)
    {
        using var model = GenAIModel.LoadTokenizer(models.Folder("int8"), 2048);
        var vocabulary = model.Vocabulary!;
        var mask = new GenAISequenceTokenizer(model).TokenMask!;
        var constraint = Compile(schema);
        var allowed = new bool[mask.Count];
        var random = new Random(schema.Length);
        var state = constraint.Start;
        var (byteTokens, spacePieces) = (0, 0);
        for (var step = 0; step < 40 && !constraint.IsFinal(state); step++)
        {
            var count = mask.Fill(constraint, state, allowed);

            var expected = Enumerable.Range(0, vocabulary.Count)
                .Where(id => id != model.EosTokenId && !vocabulary.IsSpecial(id) && Takes(constraint, state, vocabulary.BytesOf(id)) is not null)
                .ToArray();
            Assert.Equal(expected, Enumerable.Range(0, allowed.Length).Where(id => allowed[id]).ToArray());
            Assert.Equal(expected.Length, count);
            byteTokens += expected.Count(id => id is >= 3 and < 3 + 256);
            spacePieces += expected.Count(id => vocabulary.BytesOf(id) is [(byte)' ', _, ..]);
            if (expected.Length == 0)
            {
                Assert.True(constraint.IsComplete(state));
                break;
            }

            // Mostly short tokens (byte tokens among them), so the walk reaches the value's end.
            var shortOnes = expected.Where(id => vocabulary.BytesOf(id).Length <= 2).ToArray();
            var pick = shortOnes.Length > 0 && random.Next(4) > 0 ? shortOnes[random.Next(shortOnes.Length)] : expected[random.Next(expected.Length)];
            state = Takes(constraint, state, vocabulary.BytesOf(pick))!;
        }

        Assert.True(byteTokens > 0, "no byte token was ever allowed");
    }

    [Fact]
    public void Fill_AtTheStart_AllowsTheBraceAsPieceAndByteTokenButNoLeadingSpace()
    {
        using var model = GenAIModel.LoadTokenizer(models.Folder("int8"), 2048);
        var constraint = Compile(Person);
        var mask = new GenAISequenceTokenizer(model).TokenMask!;
        var allowed = new bool[mask.Count];

        var count = mask.Fill(constraint, constraint.Start, allowed);

        Assert.Equal([B('{'), BraceQuote, Brace], Enumerable.Range(0, allowed.Length).Where(id => allowed[id]).ToArray());
        Assert.Equal(3, count);
        Assert.False(allowed[SpaceBrace]);
    }

    [Fact]
    public void Fill_InAFreeString_AllowsLeadingSpacePiecesLeadBytesAndTheClosingQuoteButNoStrayByte()
    {
        using var model = GenAIModel.LoadTokenizer(models.Folder("int8"), 2048);
        var constraint = Compile(Person);
        var state = Takes(constraint, constraint.Start, "{\"name\":\""u8)!;
        var mask = new GenAISequenceTokenizer(model).TokenMask!;
        var allowed = new bool[mask.Count];

        mask.Fill(constraint, state, allowed);

        Assert.Equal(
            (true, true, true, true, true, true, true),
            (allowed[Hello], allowed[Space], allowed[B(0xE4)], allowed[B('A')], allowed[Sun], allowed[Quote], allowed[QuoteComma]));
        Assert.Equal(
            (false, false, false, false, false, false, false, false),
            (allowed[B(0x80)], allowed[B(0xBF)], allowed[B(0xC0)], allowed[B(0xC1)], allowed[B(0xF5)], allowed[B(0xFF)], allowed[B('\n')], allowed[2]));
    }

    [Theory]
    [InlineData(0xC3, 0x80, 0xBF)]
    [InlineData(0xE4, 0x80, 0xBF)]
    [InlineData(0xE0, 0xA0, 0xBF)]
    [InlineData(0xED, 0x80, 0x9F)]
    [InlineData(0xF0, 0x90, 0xBF)]
    [InlineData(0xF4, 0x80, 0x8F)]
    public void Fill_InAStringAfterALeadByte_AllowsExactlyTheByteTokensThatContinueIt(int lead, int first, int last)
    {
        using var model = GenAIModel.LoadTokenizer(models.Folder("int8"), 2048);
        var constraint = Compile(Person);
        var state = Takes(constraint, constraint.Start, [.. "{\"name\":\""u8, (byte)lead])!;
        var mask = new GenAISequenceTokenizer(model).TokenMask!;
        var allowed = new bool[mask.Count];

        var count = mask.Fill(constraint, state, allowed);

        Assert.Equal(Enumerable.Range(first, last - first + 1).Select(B).ToArray(), Enumerable.Range(0, allowed.Length).Where(id => allowed[id]).ToArray());
        Assert.Equal(last - first + 1, count);
    }

    private static int B(int value) => 3 + value;

    private static JsonGrammar Compile(string schema)
    {
        if (schema == "json_object")
        {
            return JsonGrammar.ForAnyValue(requireObject: true);
        }

        using var document = JsonDocument.Parse(schema);
        return JsonSchemaCompiler.Compile(document.RootElement);
    }

    private static JsonConstraintState? Takes(JsonGrammar constraint, JsonConstraintState state, ReadOnlySpan<byte> bytes)
    {
        JsonConstraintState? current = state;
        foreach (var b in bytes)
        {
            current = current is null ? null : constraint.Advance(current, b);
        }

        return current;
    }
}
