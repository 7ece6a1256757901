using System.Text.Json;
using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Models.Chat;

namespace Ember.Host.Tests.Validation;

/// <summary><c>messages</c> in Workers AI's form (<c>openAi: false</c>) and OpenAI's (<c>openAi: true</c>): the messages, or the first failure.</summary>
public sealed class ChatMessagesParserTests
{
    private const string WorkersAiRoles = "must be one of \"system\", \"user\", \"assistant\", \"tool\"";
    private const string OpenAiRoles = "must be one of \"system\", \"developer\", \"user\", \"assistant\", \"tool\"";
    private const string TooLong = "must be a string of at most 131072 characters";

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ApiError Invalid(string param, string rule) => new(400, 5006, param + ": " + rule, param);

    private static IReadOnlyList<ChatMessage> Succeeds(string json, bool openAi)
    {
        var fields = new JsonFields();

        IReadOnlyList<ChatMessage>? messages = ChatMessagesParser.Parse(Parse(json), fields, openAi);

        Assert.Null(fields.Error);
        return messages!;
    }

    private static ApiError Fails(string json, bool openAi)
    {
        var fields = new JsonFields();

        Assert.Null(ChatMessagesParser.Parse(Parse(json), fields, openAi));
        return fields.Error!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_ThreeRoles_InOrder(bool openAi)
    {
        IReadOnlyList<ChatMessage> messages = Succeeds(
            """[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":"a"},{"role":"user","content":""}]""",
            openAi);

        Assert.Equal(
            [new ChatMessage(ChatRole.System, "s"), new ChatMessage(ChatRole.User, "u"), new ChatMessage(ChatRole.Assistant, "a"), new ChatMessage(ChatRole.User, string.Empty)],
            messages);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_ExtraPropertiesOfAMessage_AreIgnored(bool openAi)
    {
        Assert.Equal([new ChatMessage(ChatRole.User, "hi")], Succeeds("""[{"role":"user","content":"hi","name":"bob","tool_calls":null}]""", openAi));
    }

    [Fact]
    public void Parse_DeveloperOnOpenAi_IsSystem()
    {
        Assert.Equal([new ChatMessage(ChatRole.System, "rules")], Succeeds("""[{"role":"developer","content":"rules"}]""", openAi: true));
    }

    [Fact]
    public void Parse_DeveloperOnWorkersAi_IsRefused()
    {
        Assert.Equal(Invalid("messages[0].role", WorkersAiRoles), Fails("""[{"role":"developer","content":"rules"}]""", openAi: false));
    }

    [Theory]
    [InlineData("\"function\"")]
    [InlineData("\"User\"")]
    [InlineData("\"Developer\"")]
    [InlineData("\"\"")]
    [InlineData("\"\\ud800\"")]
    [InlineData("5")]
    [InlineData("[\"user\"]")]
    public void Parse_UnknownRole_NamesTheDialectsRoles(string role)
    {
        string json = $$"""[{"role":"user","content":"a"},{"role":{{role}},"content":"b"}]""";

        Assert.Equal(Invalid("messages[1].role", WorkersAiRoles), Fails(json, openAi: false));
        Assert.Equal(Invalid("messages[1].role", OpenAiRoles), Fails(json, openAi: true));
    }

    [Theory]
    [InlineData(false, """[{"content":"a"}]""")]
    [InlineData(false, """[{"role":null,"content":"a"}]""")]
    [InlineData(true, """[{"content":"a"}]""")]
    [InlineData(true, """[{"role":null,"content":"a"}]""")]
    public void Parse_NoRole_IsRequired(bool openAi, string json)
    {
        Assert.Equal(Invalid("messages[0].role", "is required"), Fails(json, openAi));
    }

    [Theory]
    [InlineData(false, "{}")]
    [InlineData(false, "[]")]
    [InlineData(false, "null")]
    [InlineData(false, "\"hi\"")]
    [InlineData(true, "{}")]
    [InlineData(true, "[]")]
    [InlineData(true, "null")]
    [InlineData(true, "\"hi\"")]
    public void Parse_NotANonEmptyArray_IsRefused(bool openAi, string json)
    {
        Assert.Equal(Invalid("messages", "must be a non-empty array of {role, content} objects"), Fails(json, openAi));
    }

    [Theory]
    [InlineData(false, "\"hi\"")]
    [InlineData(false, "null")]
    [InlineData(false, "[]")]
    [InlineData(true, "\"hi\"")]
    [InlineData(true, "null")]
    [InlineData(true, "[]")]
    public void Parse_ItemNotAnObject_NamesItsIndex(bool openAi, string item)
    {
        Assert.Equal(Invalid("messages[1]", "must be an object with role and content"), Fails($$"""[{"role":"user","content":"a"},{{item}}]""", openAi));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_NoContent_IsRequired(bool openAi)
    {
        Assert.Equal(Invalid("messages[0].content", "is required"), Fails("""[{"role":"user"}]""", openAi));
    }

    [Fact]
    public void Parse_NullContentOnWorkersAi_IsRequired()
    {
        Assert.Equal(Invalid("messages[0].content", "is required"), Fails("""[{"role":"assistant","content":null}]""", openAi: false));
    }

    [Fact]
    public void Parse_NullContentOnOpenAi_IsEmpty()
    {
        Assert.Equal([new ChatMessage(ChatRole.Assistant, string.Empty)], Succeeds("""[{"role":"assistant","content":null}]""", openAi: true));
    }

    [Theory]
    [InlineData(false, "5")]
    [InlineData(false, "true")]
    [InlineData(false, "{}")]
    [InlineData(false, """[{"type":"text","text":"hi"}]""")]
    [InlineData(true, "5")]
    [InlineData(true, "true")]
    [InlineData(true, "{}")]
    public void Parse_ContentNotAString_IsRefused(bool openAi, string content)
    {
        Assert.Equal(Invalid("messages[0].content", "must be a string"), Fails($$"""[{"role":"user","content":{{content}}}]""", openAi));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_ContentUnpairedSurrogate_IsRefused(bool openAi)
    {
        Assert.Equal(
            Invalid("messages[0].content", "must be valid Unicode text (it has an unpaired surrogate escape)"),
            Fails("""[{"role":"user","content":"a\ud800"}]""", openAi));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_ContentAtTheTextLimit_IsAcceptedAndOneMoreIsRefused(bool openAi)
    {
        string longest = new('x', 131_072);

        Assert.Equal(longest, Assert.Single(Succeeds($$"""[{"role":"user","content":"{{longest}}"}]""", openAi)).Content);
        Assert.Equal(Invalid("messages[0].content", TooLong), Fails($$"""[{"role":"user","content":"{{longest}}x"}]""", openAi));
    }

    [Theory]
    [InlineData("""[{"type":"text","text":"Hello, "},{"type":"text","text":"world"}]""", "Hello, world")]
    [InlineData("""[{"type":"text","text":"only"}]""", "only")]
    [InlineData("""[{"type":"text","text":""},{"type":"text","text":"x"}]""", "x")]
    [InlineData("""[{"text":"a","type":"text","extra":1}]""", "a")]
    [InlineData("""[]""", "")]
    public void Parse_OpenAiTextParts_AreJoined(string content, string expected)
    {
        IReadOnlyList<ChatMessage> messages = Succeeds($$"""[{"role":"user","content":{{content}}}]""", openAi: true);

        Assert.Equal([new ChatMessage(ChatRole.User, expected)], messages);
    }

    [Theory]
    [InlineData("""[{"type":"image_url","image_url":{"url":"x"}}]""", "messages[0].content[0].type", "must be \"text\" (only text parts are supported)")]
    [InlineData("""[{"type":"text","text":"a"},{"type":"input_audio"}]""", "messages[0].content[1].type", "must be \"text\" (only text parts are supported)")]
    [InlineData("""[{"type":"TEXT","text":"a"}]""", "messages[0].content[0].type", "must be \"text\" (only text parts are supported)")]
    [InlineData("""[{"text":"a"}]""", "messages[0].content[0].type", "must be \"text\" (only text parts are supported)")]
    [InlineData("""[{"type":null,"text":"a"}]""", "messages[0].content[0].type", "must be \"text\" (only text parts are supported)")]
    [InlineData("""["a"]""", "messages[0].content[0].type", "must be \"text\" (only text parts are supported)")]
    [InlineData("""[{"type":"text"}]""", "messages[0].content[0].text", "must be a string")]
    [InlineData("""[{"type":"text","text":null}]""", "messages[0].content[0].text", "must be a string")]
    [InlineData("""[{"type":"text","text":5}]""", "messages[0].content[0].text", "must be a string")]
    [InlineData("""[{"type":"text","text":"\ud800"}]""", "messages[0].content[0].text", "must be valid Unicode text (it has an unpaired surrogate escape)")]
    public void Parse_OpenAiPartInvalid_NamesThePart(string content, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Fails($$"""[{"role":"user","content":{{content}}}]""", openAi: true));
    }

    [Fact]
    public void Parse_OpenAiPartsJoinedAtTheTextLimit_AreAcceptedAndOneMoreIsRefused()
    {
        string half = new('x', 65_536);

        string joined = Assert.Single(Succeeds($$"""[{"role":"user","content":[{"type":"text","text":"{{half}}"},{"type":"text","text":"{{half}}"}]}]""", openAi: true)).Content;

        Assert.Equal(131_072, joined.Length);
        Assert.Equal(
            Invalid("messages[0].content", TooLong),
            Fails($$"""[{"role":"user","content":[{"type":"text","text":"{{half}}"},{"type":"text","text":"{{half}}x"}]}]""", openAi: true));
    }

    [Fact]
    public void Parse_OpenAiOnePartOverTheTextLimit_NamesThePart()
    {
        string tooLong = new('x', 131_073);

        Assert.Equal(Invalid("messages[0].content[0].text", TooLong), Fails($$"""[{"role":"user","content":[{"type":"text","text":"{{tooLong}}"}]}]""", openAi: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_BadRoleAndBadContent_ReportsTheRole(bool openAi)
    {
        Assert.Equal("messages[0].role", Fails("""[{"role":"function","content":5}]""", openAi).Param);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_FailureInALaterMessage_NamesItsIndex(bool openAi)
    {
        Assert.Equal(
            Invalid("messages[2].content", "is required"),
            Fails("""[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user"},{"role":"function"}]""", openAi));
    }

    [Fact]
    public void Parse_EarlierFailureInFields_IsKept()
    {
        var fields = new JsonFields();
        fields.Fail("max_tokens", "must be an integer from 1 to 1024");

        IReadOnlyList<ChatMessage>? messages = ChatMessagesParser.Parse(Parse("""[{"role":"function","content":"x"}]"""), fields, openAi: true);

        Assert.Null(messages);
        Assert.Equal(Invalid("max_tokens", "must be an integer from 1 to 1024"), fields.Error);
    }

    [Fact]
    public void Parse_NullFields_Throws()
    {
        Assert.Throws<ArgumentNullException>("fields", () => ChatMessagesParser.Parse(Parse("[]"), null!, openAi: false));
    }
}
