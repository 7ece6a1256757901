using System.Text.Json;
using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Validation;

/// <summary>The field readers every parser uses: what counts as given, each type's check, and the first failure kept.</summary>
public sealed class JsonFieldsTests
{
    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ApiError Invalid(string param, string rule) => new(400, 5006, param + ": " + rule, param);

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"x":null}""")]
    public void TryGet_AbsentOrNull_IsNotGiven(string json)
    {
        Assert.False(JsonFields.TryGet(Parse(json), "x", out _));
    }

    [Theory]
    [InlineData("""{"x":0}""", JsonValueKind.Number)]
    [InlineData("""{"x":false}""", JsonValueKind.False)]
    [InlineData("""{"x":""}""", JsonValueKind.String)]
    [InlineData("""{"x":[]}""", JsonValueKind.Array)]
    public void TryGet_AnyOtherValue_IsGiven(string json, JsonValueKind kind)
    {
        Assert.True(JsonFields.TryGet(Parse(json), "x", out JsonElement value));
        Assert.Equal(kind, value.ValueKind);
    }

    [Fact]
    public void TryGet_NameIsCaseSensitive()
    {
        Assert.False(JsonFields.TryGet(Parse("""{"X":1}"""), "x", out _));
    }

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("\"\"", "")]
    [InlineData("\"\\ud83d\\ude00\"", "\U0001F600")]
    [InlineData("\"caf\\u00e9\"", "café")]
    public void TryGetText_ValidString_ReturnsTheText(string json, string expected)
    {
        Assert.True(JsonFields.TryGetText(Parse(json), out string? text));
        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"a\\udc00b\"")]
    [InlineData("\"\\ude00\\ud83d\"")]
    public void TryGetText_UnpairedSurrogateEscape_IsFalse(string json)
    {
        Assert.False(JsonFields.TryGetText(Parse(json), out string? text));
        Assert.Null(text);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[\"a\"]")]
    public void TryGetText_NotAString_IsFalse(string json)
    {
        Assert.False(JsonFields.TryGetText(Parse(json), out string? text));
        Assert.Null(text);
    }

    [Fact]
    public void Fail_RecordsA5006NamingThePath()
    {
        var fields = new JsonFields();

        fields.Fail("messages[0].role", "is required");

        Assert.Equal(Invalid("messages[0].role", "is required"), fields.Error);
    }

    [Theory]
    [InlineData("""{"flag":true}""", true)]
    [InlineData("""{"flag":false}""", false)]
    [InlineData("""{"flag":null}""", null)]
    [InlineData("""{}""", null)]
    public void ReadBoolean_BooleanOrNotGiven_ReturnsItWithoutError(string json, bool? expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.ReadBoolean(Parse(json), "flag", "options.flag"));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("""{"flag":"true"}""")]
    [InlineData("""{"flag":1}""")]
    [InlineData("""{"flag":0}""")]
    [InlineData("""{"flag":{}}""")]
    public void ReadBoolean_NotABoolean_FailsNamingThePath(string json)
    {
        var fields = new JsonFields();

        Assert.Null(fields.ReadBoolean(Parse(json), "flag", "options.flag"));
        Assert.Equal(Invalid("options.flag", "must be a boolean"), fields.Error);
    }

    [Theory]
    [InlineData("""{"s":"a"}""", "a")]
    [InlineData("""{"s":"abc"}""", "abc")]
    [InlineData("""{"s":"\ud83d\ude00"}""", "\U0001F600")]
    public void ReadString_WithinBounds_ReturnsIt(string json, string expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.ReadString(Parse(json), "s", "path.s", 1, 3));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"s":null}""")]
    public void ReadString_NotGiven_IsNullWithoutError(string json)
    {
        var fields = new JsonFields();

        Assert.Null(fields.ReadString(Parse(json), "s", "path.s", 1, 3));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("""{"s":""}""", "must be a string of 1 to 3 characters")]
    [InlineData("""{"s":"abcd"}""", "must be a string of 1 to 3 characters")]
    [InlineData("""{"s":"ab\ud83d\ude00"}""", "must be a string of 1 to 3 characters")]
    [InlineData("""{"s":5}""", "must be a string")]
    [InlineData("""{"s":["a"]}""", "must be a string")]
    [InlineData("""{"s":"\ud800"}""", "must be valid Unicode text (it has an unpaired surrogate escape)")]
    public void ReadString_Invalid_FailsNamingThePathAndTheRule(string json, string rule)
    {
        var fields = new JsonFields();

        Assert.Null(fields.ReadString(Parse(json), "s", "path.s", 1, 3));
        Assert.Equal(Invalid("path.s", rule), fields.Error);
    }

    [Theory]
    [InlineData("\"\"", 0, 2, null, "")]
    [InlineData("\"ab\"", 0, 2, null, "ab")]
    [InlineData("\"abc\"", 0, 2, "must be a string of at most 2 characters", null)]
    [InlineData("\"ab\"", 2, 2, null, "ab")]
    [InlineData("\"a\"", 2, 2, "must be a string of 2 to 2 characters", null)]
    public void CheckString_LengthBounds_AreInclusive(string json, int minLength, int maxLength, string? rule, string? expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.CheckString(Parse(json), "p", minLength, maxLength));
        Assert.Equal(rule is null ? null : Invalid("p", rule), fields.Error);
    }

    [Fact]
    public void CheckString_Null_MustBeAString()
    {
        var fields = new JsonFields();

        Assert.Null(fields.CheckString(Parse("null"), "p", 0, 10));
        Assert.Equal(Invalid("p", "must be a string"), fields.Error);
    }

    [Theory]
    [InlineData("5", 5.0)]
    [InlineData("5.0", 5.0)]
    [InlineData("5e0", 5.0)]
    [InlineData("0.5e1", 5.0)]
    [InlineData("1", 1.0)]
    [InlineData("50", 50.0)]
    public void Read_IntegerFieldWholeNumber_ReturnsIt(string value, double expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.Read(Parse($$"""{"top_k":{{value}}}"""), RequestFields.TopK, RequestApis.WorkersAi));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("5.5")]
    [InlineData("1.0000001")]
    [InlineData("0")]
    [InlineData("51")]
    [InlineData("-1")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("\"5\"")]
    [InlineData("true")]
    [InlineData("[5]")]
    [InlineData("{}")]
    public void Read_IntegerFieldInvalid_FailsWithTheFieldsRule(string value)
    {
        var fields = new JsonFields();

        Assert.Null(fields.Read(Parse($$"""{"top_k":{{value}}}"""), RequestFields.TopK, RequestApis.WorkersAi));
        Assert.Equal(Invalid("top_k", "must be an integer from 1 to 50"), fields.Error);
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("9999999999", 9_999_999_999.0)]
    [InlineData("9999999999.0", 9_999_999_999.0)]
    public void Read_SeedUpToItsTenDigitMaximum_ReturnsIt(string value, double expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.Read(Parse($$"""{"seed":{{value}}}"""), RequestFields.Seed, RequestApis.OpenAiChat));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("10000000000")]
    [InlineData("1e400")]
    public void Read_SeedAboveItsMaximum_FailsWithTheTenDigitRule(string value)
    {
        var fields = new JsonFields();

        Assert.Null(fields.Read(Parse($$"""{"seed":{{value}}}"""), RequestFields.Seed, RequestApis.OpenAiChat));
        Assert.Equal(Invalid("seed", "must be an integer from 1 to 9999999999"), fields.Error);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("0.6", 0.6)]
    [InlineData("5", 5.0)]
    [InlineData("5.0", 5.0)]
    [InlineData("2.5e0", 2.5)]
    public void Read_NumberField_TakesFractions(string value, double expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.Read(Parse($$"""{"temperature":{{value}}}"""), RequestFields.Temperature, RequestApis.WorkersAi));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("5.001")]
    [InlineData("-0.001")]
    [InlineData("1e400")]
    [InlineData("\"0.5\"")]
    [InlineData("false")]
    public void Read_NumberFieldInvalid_FailsWithTheFieldsRule(string value)
    {
        var fields = new JsonFields();

        Assert.Null(fields.Read(Parse($$"""{"temperature":{{value}}}"""), RequestFields.Temperature, RequestApis.WorkersAi));
        Assert.Equal(Invalid("temperature", "must be a number from 0 to 5"), fields.Error);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void Read_NonFiniteLiteral_CannotReachIt_JsonRefusesTheBody(string value)
    {
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse($$"""{"temperature":{{value}}}"""));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"temperature":null}""")]
    public void Read_NotGiven_IsNullWithoutError(string json)
    {
        var fields = new JsonFields();

        Assert.Null(fields.Read(Parse(json), RequestFields.Temperature, RequestApis.WorkersAi));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("0.001", 0.001)]
    [InlineData("1", 1.0)]
    [InlineData("2", 2.0)]
    public void Read_RepetitionPenaltyAboveZero_ReturnsIt(string value, double expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.Read(Parse($$"""{"repetition_penalty":{{value}}}"""), RequestFields.RepetitionPenalty, RequestApis.WorkersAi));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("-0.5")]
    [InlineData("2.001")]
    public void Read_RepetitionPenaltyAtZeroOrOutside_FailsWithTheExclusiveRule(string value)
    {
        var fields = new JsonFields();

        Assert.Null(fields.Read(Parse($$"""{"repetition_penalty":{{value}}}"""), RequestFields.RepetitionPenalty, RequestApis.WorkersAi));
        Assert.Equal(Invalid("repetition_penalty", "must be a number greater than 0 and at most 2"), fields.Error);
    }

    [Theory]
    [InlineData("0", RequestApis.WorkersAi, 0.0)]
    [InlineData("2", RequestApis.WorkersAi, 2.0)]
    [InlineData("-2", RequestApis.OpenAiChat, -2.0)]
    [InlineData("-0.5", RequestApis.OpenAiChat, -0.5)]
    [InlineData("-2", RequestApis.OpenAiCompletions, -2.0)]
    [InlineData("2", RequestApis.OpenAiCompletions, 2.0)]
    public void Read_FrequencyPenaltyInTheApisRange_ReturnsIt(string value, RequestApis api, double expected)
    {
        var fields = new JsonFields();

        Assert.Equal(expected, fields.Read(Parse($$"""{"frequency_penalty":{{value}}}"""), RequestFields.FrequencyPenalty, api));
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("-0.5", RequestApis.WorkersAi, "must be a number from 0 to 2")]
    [InlineData("-2", RequestApis.WorkersAi, "must be a number from 0 to 2")]
    [InlineData("2.5", RequestApis.WorkersAi, "must be a number from 0 to 2")]
    [InlineData("-2.5", RequestApis.OpenAiChat, "must be a number from -2 to 2")]
    [InlineData("2.5", RequestApis.OpenAiCompletions, "must be a number from -2 to 2")]
    public void Read_FrequencyPenaltyOutsideTheApisRange_FailsWithThatRange(string value, RequestApis api, string rule)
    {
        var fields = new JsonFields();

        Assert.Null(fields.Read(Parse($$"""{"frequency_penalty":{{value}}}"""), RequestFields.FrequencyPenalty, api));
        Assert.Equal(Invalid("frequency_penalty", rule), fields.Error);
    }

    [Fact]
    public void Read_NullField_Throws()
    {
        Assert.Throws<ArgumentNullException>("field", () => new JsonFields().Read(Parse("{}"), null!, RequestApis.WorkersAi));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"options":null}""")]
    public void ReadObject_NotGiven_IsNullWithoutError(string json)
    {
        var fields = new JsonFields();

        Assert.Null(fields.ReadObject(Parse(json), "options", "stream_options"));
        Assert.Null(fields.Error);
    }

    [Fact]
    public void ReadObject_Object_ReturnsIt()
    {
        var fields = new JsonFields();

        JsonElement? value = fields.ReadObject(Parse("""{"options":{"a":1}}"""), "options", "stream_options");

        Assert.Equal(1, value!.Value.GetProperty("a").GetInt32());
        Assert.Null(fields.Error);
    }

    [Theory]
    [InlineData("""{"options":[]}""")]
    [InlineData("""{"options":"{}"}""")]
    [InlineData("""{"options":true}""")]
    public void ReadObject_NotAnObject_FailsNamingThePath(string json)
    {
        var fields = new JsonFields();

        Assert.Null(fields.ReadObject(Parse(json), "options", "stream_options"));
        Assert.Equal(Invalid("stream_options", "must be an object"), fields.Error);
    }

    [Fact]
    public void Error_SeveralFailures_KeepsTheFirst()
    {
        var fields = new JsonFields();
        JsonElement body = Parse("""{"top_k":0,"flag":1,"s":5,"options":[],"temperature":9}""");

        fields.Read(body, RequestFields.TopK, RequestApis.WorkersAi);
        fields.ReadBoolean(body, "flag", "flag");
        fields.ReadString(body, "s", "s", 0, 10);
        fields.ReadObject(body, "options", "options");
        fields.Read(body, RequestFields.Temperature, RequestApis.WorkersAi);
        fields.Fail("other", "is wrong");

        Assert.Equal(Invalid("top_k", "must be an integer from 1 to 50"), fields.Error);
    }

    [Fact]
    public void Error_ValidReadAfterAFailure_DoesNotClearIt()
    {
        var fields = new JsonFields();
        JsonElement body = Parse("""{"flag":"yes","top_k":5}""");

        fields.ReadBoolean(body, "flag", "flag");
        fields.Read(body, RequestFields.TopK, RequestApis.WorkersAi);

        Assert.Equal(Invalid("flag", "must be a boolean"), fields.Error);
    }

    [Fact]
    public void Error_NoReadYet_IsNull()
    {
        Assert.Null(new JsonFields().Error);
    }
}
