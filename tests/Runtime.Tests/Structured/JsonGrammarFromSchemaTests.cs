using System.Text;
using System.Text.Json;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Tests.Structured;

/// <summary>
/// The <see cref="JsonGrammar"/> that <see cref="JsonSchemaCompiler"/> builds from a schema: which bytes it accepts,
/// where it rejects, when a value is complete, and that random walks through it give values of the schema.
/// </summary>
public sealed class JsonGrammarFromSchemaTests
{
    private const string Person = """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"email":{"type":"string"}},"required":["name","age"],"additionalProperties":false}""";
    private const string Optional = """{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}},"required":["c"]}""";
    private const string Tree = """{"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["value","children"],"additionalProperties":false}},"$ref":"#/$defs/node"}""";
    private const string List = """{"type":"object","properties":{"v":{"type":"boolean"},"next":{"anyOf":[{"$ref":"#"},{"type":"null"}]}},"required":["v","next"]}""";
    private const string Orders = """{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},"required":["id","tags"]}}},"required":["items"]}""";
    private const string Colours = """{"enum":["red","green","grün",3,null,{"a":1}]}""";
    private const string ObjectOrNull = """{"anyOf":[{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]},{"type":"null"}]}""";
    private const string SharedPrefix = """{"anyOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"type":"object","properties":{"ab":{"type":"integer"}},"required":["ab"]}]}""";

    public static TheoryData<string, string, string> Cases => new()
    {
        { Person, """{"name":"Ann","age":30}""", "complete final" },
        { Person, """{"name":"Ann","age":30,"email":"a@b"}""", "complete final" },
        { Person, """{"name":"A\u00e9\"x\\ é€𝄞","age":-0}""", "complete final" },
        { Person, """{"age":30,"name":"Ann"}""", "rejected at 2" },
        { Person, """{"name":"Ann"}""", "rejected at 13" },
        { Person, """{"name":"Ann","age":30,"x":1}""", "rejected at 24" },
        { Person, """{"name":"Ann","email":"a","age":1}""", "rejected at 15" },
        { Person, """{"name":"Ann","age":30.5}""", "rejected at 22" },
        { Person, """{"name":"Ann","age":01}""", "rejected at 21" },
        { Person, """{"name":"Ann","age":30,}""", "rejected at 23" },
        { Person, """{"name":"Ann","age":30,"emai"}""", "rejected at 28" },
        { Person, """{"name":1}""", "rejected at 8" },
        { Person, """{"name":"Ann","age":30""", "incomplete" },
        { Optional, """{"c":1}""", "complete final" },
        { Optional, """{"a":1,"c":2}""", "complete final" },
        { Optional, """{"b":1,"c":2}""", "complete final" },
        { Optional, """{"a":1,"b":2,"c":3}""", "complete final" },
        { Optional, """{"b":1,"a":2,"c":3}""", "rejected at 8" },
        { Optional, """{"c":1,"a":2}""", "rejected at 6" },
        { Optional, """{"a":1}""", "rejected at 6" },
        { Optional, """{}""", "rejected at 1" },
        { Optional, """{"a":1,"a":2,"c":3}""", "rejected at 8" },
        { """{"type":"object"}""", """{}""", "complete final" },
        { """{"type":"object"}""", """{"a":1}""", "rejected at 1" },
        { """{"type":"number"}""", "1.5e3", "complete" },
        { """{"type":"number"}""", "-0", "complete" },
        { """{"type":"integer"}""", "15", "complete" },
        { """{"type":"integer"}""", "0", "complete final" },
        { """{"type":"integer"}""", "-0", "complete final" },
        { """{"type":"integer"}""", "1.5", "rejected at 1" },
        { """{"type":"integer"}""", "1e3", "rejected at 1" },
        { """{"type":"integer"}""", "01", "rejected at 1" },
        { """{"type":"boolean"}""", "true", "complete final" },
        { """{"type":"boolean"}""", "tru", "incomplete" },
        { """{"type":"boolean"}""", "null", "rejected at 0" },
        { """{"type":["string","null"]}""", "\"a\"", "complete final" },
        { """{"type":["string","null"]}""", "null", "complete final" },
        { """{"type":["string","null"]}""", "1", "rejected at 0" },
        { """{"const":"fixed"}""", "\"fixed\"", "complete final" },
        { """{"const":"fixed"}""", "\"fix\"", "rejected at 4" },
        { Colours, "\"red\"", "complete final" },
        { Colours, "\"green\"", "complete final" },
        { Colours, "\"grün\"", "complete final" },
        { Colours, "3", "complete final" },
        { Colours, "30", "rejected at 1" },
        { Colours, "null", "complete final" },
        { Colours, """{"a":1}""", "complete final" },
        { Colours, "\"blue\"", "rejected at 1" },
        { Colours, """{"a": 1}""", "rejected at 5" },
        { """{"type":"integer","enum":[1,12]}""", "1", "complete" },
        { """{"type":"integer","enum":[1,12]}""", "12", "complete final" },
        { ObjectOrNull, "null", "complete final" },
        { ObjectOrNull, """{"x":1}""", "complete final" },
        { ObjectOrNull, "{}", "rejected at 1" },
        { ObjectOrNull, "[]", "rejected at 0" },
        { SharedPrefix, """{"a":"x"}""", "complete final" },
        { SharedPrefix, """{"ab":1}""", "complete final" },
        { SharedPrefix, """{"ab":"x"}""", "rejected at 6" },
        { SharedPrefix, """{"a":1}""", "rejected at 5" },
        { Tree, """{"value":1,"children":[{"value":2,"children":[]},{"value":3,"children":[{"value":4,"children":[]}]}]}""", "complete final" },
        { Tree, """{"value":1,"children":[{"value":2}]}""", "rejected at 33" },
        { Tree, """{"value":1,"children":[1]}""", "rejected at 23" },
        { List, """{"v":true,"next":{"v":false,"next":null}}""", "complete final" },
        { List, """{"v":true,"next":{"v":false}}""", "rejected at 27" },
        { Orders, """{"items":[{"id":1,"tags":["a","b"]},{"id":2,"tags":[]}]}""", "complete final" },
        { Orders, """{"items":[{"id":1,"tags":["a",1]}]}""", "rejected at 30" },
        { Orders, """{"items":[{"tags":[],"id":1}]}""", "rejected at 12" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Feed_Text_AcceptedOrRejectedAtTheExactByte(string schema, string text, string expected) =>
        Assert.Equal(expected, ConstraintRun.Feed(Compile(schema), text));

    [Fact]
    public void Feed_InvalidUtf8InAString_Rejected() =>
        Assert.Equal("rejected at 9", ConstraintRun.Feed(Compile(Person), [.. "{\"name\":\""u8, 0xC0, 0xAF, .. "\",\"age\":1}"u8]));

    [Theory]
    [InlineData(3, """{"value":1,"children":[]}""", "complete final")]
    [InlineData(3, """{"value":1,"children":[{""", "rejected at 23")]
    [InlineData(4, """{"value":1,"children":[{"value":2,"children":[]}]}""", "complete final")]
    [InlineData(4, """{"value":1,"children":[{"value":2,"children":[{""", "rejected at 46")]
    public void Feed_RecursionAtTheDepthBound_OnlyWaysThatCanFinish(int maxDepth, string text, string expected)
    {
        using var document = JsonDocument.Parse(Tree);

        Assert.Equal(expected, ConstraintRun.Feed(JsonSchemaCompiler.Compile(document.RootElement, maxDepth), text));
    }

    [Fact]
    public void Advance_AnyOfState_BranchesWithoutChangingIt()
    {
        var constraint = Compile(SharedPrefix);
        var state = constraint.Start;
        foreach (byte b in "{\"a"u8)
        {
            state = constraint.Advance(state, b)!;
        }

        var first = constraint.Advance(state, (byte)'"');
        var second = constraint.Advance(state, (byte)'b');

        Assert.Equal("complete final", Continue(constraint, first!, ":\"\"}"u8));
        Assert.Equal("complete final", Continue(constraint, second!, "\":7}"u8));
        Assert.Equal("complete final", Continue(constraint, state, "b\":8}"u8));
    }

    public static TheoryData<string> WalkSchemas => new(Schemas);

    /// <summary>Gets the 20 schemas of the random walks (and of the model's constrained runs).</summary>
    public static IReadOnlyList<string> Schemas { get; } =
    [
        Person,
        Optional,
        Tree,
        List,
        Orders,
        Colours,
        ObjectOrNull,
        SharedPrefix,
        """{"type":"string"}""",
        """{"type":"number"}""",
        """{"type":"integer"}""",
        """{"type":"boolean"}""",
        """{"type":["string","number","null"]}""",
        """{"const":{"a":[1,2],"b":"c"}}""",
        """{"type":"array","items":{"type":"array","items":{"type":"integer"}}}""",
        """{"type":"object","properties":{"outer":{"type":"object","properties":{"inner":{"type":"object","properties":{"leaf":{"type":"null"}},"required":["leaf"]}},"required":["inner"]}},"required":["outer"]}""",
        """{"type":"object","properties":{},"additionalProperties":false}""",
        """{"type":"object","properties":{"v":{"type":"boolean"},"tail":{"$ref":"#"}},"required":["v"]}""",
        """{"type":"object","properties":{"kind":{"enum":["a","b"]},"n":{"type":["integer","null"]},"list":{"type":"array","items":{"enum":[1,2.5,"x"]}}}}""",
        """{"$defs":{"expr":{"anyOf":[{"type":"integer"},{"type":"object","properties":{"op":{"enum":["+","*"]},"args":{"type":"array","items":{"$ref":"#/$defs/expr"}}},"required":["op","args"]}]}},"$ref":"#/$defs/expr"}""",
    ];

    [Theory]
    [MemberData(nameof(WalkSchemas))]
    public void Walk_RandomAcceptedBytes_EveryTextParsesAndValidates(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        var constraint = JsonSchemaCompiler.Compile(document.RootElement);
        var random = new Random(12345);
        int complete = 0;
        for (int walk = 0; walk < 20; walk++)
        {
            var (text, isComplete) = ConstraintRun.Walk(constraint, random, 2000);
            if (!isComplete)
            {
                continue;
            }

            complete++;
            using var value = JsonDocument.Parse(text);
            Assert.True(SubsetValidator.IsValid(document.RootElement, value.RootElement), Encoding.UTF8.GetString(text));
        }

        Assert.True(complete >= 10, $"only {complete} of 20 walks ended");
    }

    private static JsonGrammar Compile(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return JsonSchemaCompiler.Compile(document.RootElement);
    }

    private static string Continue(JsonGrammar constraint, JsonConstraintState state, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            var next = constraint.Advance(state, b);
            if (next is null)
            {
                return "rejected";
            }

            state = next;
        }

        return constraint.IsFinal(state) ? "complete final" : "not final";
    }
}
