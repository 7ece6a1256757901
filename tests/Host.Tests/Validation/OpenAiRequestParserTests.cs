using System.Text.Json;
using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;

namespace Ember.Host.Tests.Validation;

/// <summary>
/// OpenAI <c>chat/completions</c> and <c>completions</c> bodies parsed for the tiny model (sequence limit 1024): each
/// field's value in the runtime request, and each refusal's exact error.
/// </summary>
public sealed class OpenAiRequestParserTests
{
    private const string Messages = """ "messages":[{"role":"user","content":"hi"}]""";
    private const string Prompt = """ "prompt":"hi" """;

    private static readonly ModelHandle Model = new(ModelCatalog.Get(ModelCatalog.TinyLlamaId), ModelCatalog.Get(ModelCatalog.TinyLlamaId).Limits, abilities: null);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ApiError Invalid(string param, string rule) => new(400, 5006, param + ": " + rule, param);

    private static Parsed<OpenAiRequest> Chat(string rest) =>
        OpenAiRequestParser.ParseChat(Parse("{" + Messages + rest + "}"), Model);

    private static Parsed<OpenAiRequest> Completion(string rest) =>
        OpenAiRequestParser.ParseCompletion(Parse("{" + Prompt + rest + "}"), Model);

    private static OpenAiRequest Succeeds(Parsed<OpenAiRequest> parsed)
    {
        Assert.Null(parsed.Error);
        return parsed.Value!;
    }

    [Theory]
    [InlineData("""{"model":"@ember/tiny-llama"}""", "@ember/tiny-llama")]
    [InlineData("""{"model":"","messages":[]}""", "")]
    [InlineData("""{"model":"caf\u00e9"}""", "café")]
    public void ReadModelId_String_ReturnsIt(string json, string expected)
    {
        Parsed<string> parsed = OpenAiRequestParser.ReadModelId(Parse(json));

        Assert.Null(parsed.Error);
        Assert.Equal(expected, parsed.Value);
    }

    [Theory]
    [InlineData("[]", "body", "must be a JSON object")]
    [InlineData("\"model\"", "body", "must be a JSON object")]
    [InlineData("null", "body", "must be a JSON object")]
    [InlineData("{}", "model", "is required")]
    [InlineData("""{"model":null}""", "model", "is required")]
    [InlineData("""{"Model":"@ember/tiny-llama"}""", "model", "is required")]
    [InlineData("""{"model":5}""", "model", "must be a string")]
    [InlineData("""{"model":["@ember/tiny-llama"]}""", "model", "must be a string")]
    [InlineData("""{"model":"\ud800"}""", "model", "must be a string")]
    public void ReadModelId_Invalid_FailsNamingTheField(string json, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), OpenAiRequestParser.ReadModelId(Parse(json)).Error);
    }

    [Fact]
    public void ParseChat_OnlyMessages_LeavesEveryOptionToTheRuntime()
    {
        OpenAiRequest request = Succeeds(Chat(string.Empty));

        Assert.Same(Model, request.Model);
        Assert.Equal(new TextGenerationRequest { RangesCheckedAgainst = Model.Limits }, request.Generation with { Messages = null });
        Assert.Equal([new ChatMessage(ChatRole.User, "hi")], request.Generation.Messages!);
        Assert.Null(request.Generation.Stop);
        Assert.False(request.IncludeUsage);
    }

    [Fact]
    public void ParseChat_EveryField_IsMappedExactly()
    {
        const string body = """
            {"model":"@ember/tiny-llama",
             "messages":[{"role":"developer","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}],
             "max_tokens":100,"temperature":0.5,"top_p":0.9,"top_k":40,"seed":9999999999,"n":1,
             "frequency_penalty":-1.5,"presence_penalty":1.25,"stream":true,"stream_options":{"include_usage":true},
             "stop":["a","b"],"logprobs":true,"top_logprobs":3,"user":"u1","store":false,"repetition_penalty":"ignored"}
            """;

        OpenAiRequest request = Succeeds(OpenAiRequestParser.ParseChat(Parse(body), Model));

        var expected = new TextGenerationRequest
        {
            Stream = true,
            MaxTokens = 100,
            Temperature = 0.5,
            TopP = 0.9,
            TopK = 40,
            Seed = 9_999_999_999,
            FrequencyPenalty = -1.5,
            PresencePenalty = 1.25,
            TopLogprobs = 3,
            RangesCheckedAgainst = Model.Limits,
        };
        Assert.Equal(expected, request.Generation with { Messages = null, Stop = null });
        Assert.Equal([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "hi")], request.Generation.Messages!);
        Assert.Equal(["a", "b"], request.Generation.Stop);
        Assert.True(request.IncludeUsage);
        Assert.Same(Model, request.Model);
    }

    [Theory]
    [InlineData("""{"model":"m"}""")]
    [InlineData("""{"model":"m","messages":null}""")]
    public void ParseChat_NoMessages_IsRequired(string json)
    {
        Assert.Equal(Invalid("messages", "is required"), OpenAiRequestParser.ParseChat(Parse(json), Model).Error);
    }

    [Fact]
    public void ParseChat_BadMessages_FailsWithTheMessagesError()
    {
        Parsed<OpenAiRequest> parsed = OpenAiRequestParser.ParseChat(Parse("""{"messages":[{"role":"function","content":"x"}]}"""), Model);

        Assert.Equal(Invalid("messages[0].role", "must be one of \"system\", \"developer\", \"user\", \"assistant\", \"tool\""), parsed.Error);
    }

    [Theory]
    [InlineData(""","max_tokens":1""", 1)]
    [InlineData(""","max_tokens":1024""", 1024)]
    [InlineData(""","max_tokens":7.0""", 7)]
    [InlineData(""","max_completion_tokens":7""", 7)]
    [InlineData(""","max_completion_tokens":1024""", 1024)]
    [InlineData(""","max_tokens":5,"max_completion_tokens":9""", 5)]
    [InlineData(""","max_tokens":null,"max_completion_tokens":9""", 9)]
    public void ParseChat_MaxTokensOrItsAlias_IsMapped(string rest, int expected)
    {
        Assert.Equal(expected, Succeeds(Chat(rest)).Generation.MaxTokens);
    }

    [Theory]
    [InlineData(""","max_tokens":0""", "max_tokens")]
    [InlineData(""","max_tokens":1025""", "max_tokens")]
    [InlineData(""","max_tokens":2.5""", "max_tokens")]
    [InlineData(""","max_tokens":"10" """, "max_tokens")]
    [InlineData(""","max_tokens":0,"max_completion_tokens":9""", "max_tokens")]
    [InlineData(""","max_completion_tokens":0""", "max_completion_tokens")]
    [InlineData(""","max_completion_tokens":1025""", "max_completion_tokens")]
    [InlineData(""","max_tokens":5,"max_completion_tokens":1025""", "max_completion_tokens")]
    public void ParseChat_MaxTokensOutsideTheModelsSequenceLimit_FailsNamingTheFieldGiven(string rest, string param)
    {
        Assert.Equal(Invalid(param, "must be an integer from 1 to 1024"), Chat(rest).Error);
    }

    [Fact]
    public void ParseCompletion_MaxTokensFollowTheLimitsPassed()
    {
        var limits = new ModelLimits(defaultMaxTokens: 10, defaultMaxTokensStream: 10, contextTokensLimit: 100, sequenceTokensLimit: 50);

        Parsed<OpenAiRequest> accepted = OpenAiRequestParser.ParseCompletion(Parse("""{"prompt":"hi","max_tokens":50}"""), new ModelHandle(Model.Entry, limits, abilities: null));
        Parsed<OpenAiRequest> refused = OpenAiRequestParser.ParseCompletion(Parse("""{"prompt":"hi","max_completion_tokens":51}"""), new ModelHandle(Model.Entry, limits, abilities: null));

        Assert.Equal(50, Succeeds(accepted).Generation.MaxTokens);
        Assert.Equal(Invalid("max_completion_tokens", "must be an integer from 1 to 50"), refused.Error);
    }

    [Theory]
    [InlineData(""","temperature":6""", "temperature", "must be a number from 0 to 5")]
    [InlineData(""","top_p":2.1""", "top_p", "must be a number from 0 to 2")]
    [InlineData(""","top_k":0""", "top_k", "must be an integer from 1 to 50")]
    [InlineData(""","top_k":1.5""", "top_k", "must be an integer from 1 to 50")]
    [InlineData(""","seed":0""", "seed", "must be an integer from 1 to 9999999999")]
    [InlineData(""","frequency_penalty":-2.5""", "frequency_penalty", "must be a number from -2 to 2")]
    [InlineData(""","presence_penalty":2.5""", "presence_penalty", "must be a number from -2 to 2")]
    [InlineData(""","stream":"true" """, "stream", "must be a boolean")]
    [InlineData(""","n":2""", "n", "must be an integer from 1 to 1")]
    [InlineData(""","n":0""", "n", "must be an integer from 1 to 1")]
    public void ParseChat_SharedFieldInvalid_FailsNamingIt(string rest, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Chat(rest).Error);
    }

    [Theory]
    [InlineData(""","n":1""")]
    [InlineData(""","n":1.0""")]
    [InlineData(""","n":null""")]
    public void ParseChat_OneChoice_IsAccepted(string rest)
    {
        Succeeds(Chat(rest));
    }

    [Fact]
    public void ParseChat_OpenAiPenaltyRange_TakesMinusTwo()
    {
        OpenAiRequest request = Succeeds(Chat(""","frequency_penalty":-2,"presence_penalty":-2"""));

        Assert.Equal(-2.0, request.Generation.FrequencyPenalty);
        Assert.Equal(-2.0, request.Generation.PresencePenalty);
    }

    [Theory]
    [InlineData(""","stop":"END" """, new[] { "END" })]
    [InlineData(""","stop":[]""", new string[0])]
    [InlineData(""","stop":["a","b","c","d"]""", new[] { "a", "b", "c", "d" })]
    [InlineData(""","stop":["\n"," "]""", new[] { "\n", " " })]
    public void ParseChat_Stop_IsMapped(string rest, string[] expected)
    {
        Assert.Equal(expected, Succeeds(Chat(rest)).Generation.Stop);
    }

    [Fact]
    public void ParseChat_StopNull_IsNone()
    {
        Assert.Null(Succeeds(Chat(""","stop":null""")).Generation.Stop);
    }

    [Theory]
    [InlineData(""","stop":"" """, "stop", "must be a string of 1 to 131072 characters")]
    [InlineData(""","stop":"\ud800" """, "stop", "must be valid Unicode text (it has an unpaired surrogate escape)")]
    [InlineData(""","stop":5""", "stop", "must be a string or an array of at most 4 strings")]
    [InlineData(""","stop":{"a":1}""", "stop", "must be a string or an array of at most 4 strings")]
    [InlineData(""","stop":["a","b","c","d","e"]""", "stop", "must be a string or an array of at most 4 strings")]
    [InlineData(""","stop":[""]""", "stop[0]", "must be a string of 1 to 131072 characters")]
    [InlineData(""","stop":["a",3]""", "stop[1]", "must be a string")]
    [InlineData(""","stop":["a",null]""", "stop[1]", "must be a string")]
    public void ParseChat_StopInvalid_FailsNamingTheItem(string rest, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Chat(rest).Error);
    }

    [Fact]
    public void ParseChat_StopAtTheTextLimit_IsAcceptedAndOneMoreIsRefused()
    {
        string longest = new('x', RequestFields.MaxTextLength);

        Assert.Equal([longest], Succeeds(Chat($$""","stop":"{{longest}}" """)).Generation.Stop);
        Assert.Equal(Invalid("stop[0]", "must be a string of 1 to 131072 characters"), Chat($$""","stop":["{{longest}}x"]""").Error);
    }

    [Theory]
    [InlineData(""","stream_options":{"include_usage":true}""", true)]
    [InlineData(""","stream":true,"stream_options":{"include_usage":true}""", true)]
    [InlineData(""","stream_options":{"include_usage":false}""", false)]
    [InlineData(""","stream_options":{"include_usage":null}""", false)]
    [InlineData(""","stream_options":{}""", false)]
    [InlineData(""","stream_options":null""", false)]
    public void ParseChat_StreamOptionsIncludeUsage_IsMapped(string rest, bool expected)
    {
        Assert.Equal(expected, Succeeds(Chat(rest)).IncludeUsage);
    }

    [Theory]
    [InlineData(""","stream_options":true""", "stream_options", "must be an object")]
    [InlineData(""","stream_options":[]""", "stream_options", "must be an object")]
    [InlineData(""","stream_options":{"include_usage":"yes"}""", "stream_options.include_usage", "must be a boolean")]
    public void ParseChat_StreamOptionsInvalid_FailsNamingThePath(string rest, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Chat(rest).Error);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(""","logprobs":false""", null)]
    [InlineData(""","logprobs":null""", null)]
    [InlineData(""","logprobs":false,"top_logprobs":0""", null)]
    [InlineData(""","top_logprobs":0""", null)]
    [InlineData(""","logprobs":true""", 0)]
    [InlineData(""","logprobs":true,"top_logprobs":null""", 0)]
    [InlineData(""","logprobs":true,"top_logprobs":0""", 0)]
    [InlineData(""","logprobs":true,"top_logprobs":20""", 20)]
    public void ParseChat_Logprobs_SetTopLogprobsOnlyWhenTrue(string rest, int? expected)
    {
        Assert.Equal(expected, Succeeds(Chat(rest)).Generation.TopLogprobs);
    }

    [Theory]
    [InlineData(""","top_logprobs":2""", "top_logprobs", "needs logprobs: true")]
    [InlineData(""","logprobs":false,"top_logprobs":1""", "top_logprobs", "needs logprobs: true")]
    [InlineData(""","logprobs":true,"top_logprobs":21""", "top_logprobs", "must be an integer from 0 to 20")]
    [InlineData(""","logprobs":true,"top_logprobs":-1""", "top_logprobs", "must be an integer from 0 to 20")]
    [InlineData(""","logprobs":true,"top_logprobs":1.5""", "top_logprobs", "must be an integer from 0 to 20")]
    [InlineData(""","logprobs":1""", "logprobs", "must be a boolean")]
    [InlineData(""","logprobs":"true" """, "logprobs", "must be a boolean")]
    public void ParseChat_LogprobsInvalid_FailsNamingTheField(string rest, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Chat(rest).Error);
    }

    [Fact]
    public void ParseChat_SeveralFailures_ReportsTheFirstInReadingOrder()
    {
        Parsed<OpenAiRequest> parsed = OpenAiRequestParser.ParseChat(
            Parse("""{"messages":[],"temperature":9,"stop":5,"tools":[{"type":"function"}]}"""), Model);

        Assert.Equal(Invalid("messages", "must be a non-empty array of {role, content} objects"), parsed.Error);
    }

    [Fact]
    public void ParseChat_SamplingBeforeStopBeforeUnsupported_InThatOrder()
    {
        Assert.Equal(Invalid("temperature", "must be a number from 0 to 5"), Chat(""","logit_bias":{"1":1},"stop":5,"temperature":9""").Error);
        Assert.Equal(Invalid("stop", "must be a string or an array of at most 4 strings"), Chat(""","logit_bias":{"1":1},"stop":5""").Error);
    }

    [Theory]
    [InlineData(""","functions":[{"name":"f"}]""", "functions", "must be empty or null: the deprecated functions are not supported; use tools")]
    [InlineData(""","function_call":{"name":"f"}""", "function_call", "must be \"none\", \"auto\" or null: the deprecated function_call is not supported; use tool_choice")]
    [InlineData(""","logit_bias":{"1":-100}""", "logit_bias", "must be empty or null: logit bias is not supported")]
    [InlineData(""","modalities":["text","audio"]""", "modalities", "must be [\"text\"] or null: only text output is supported")]
    [InlineData(""","audio":{"voice":"alloy"}""", "audio", "must be null: audio output is not supported")]
    [InlineData(""","web_search_options":{}""", "web_search_options", "must be null: web search is not supported")]
    public void ParseChat_UnsupportedFieldAskingForSomething_IsRefused(string rest, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Chat(rest).Error);
    }

    [Theory]
    [InlineData(""","response_format":{"type":"json_object"}""", ResponseFormatKind.JsonObject, null)]
    [InlineData(""","response_format":{"type":"json_schema","json_schema":{"name":"n","strict":true,"schema":{"type":"object"}}}""", ResponseFormatKind.JsonSchema, """{"type":"object"}""")]
    [InlineData(""","response_format":{"type":"json_schema","json_schema":{"type":"array","items":{"type":"string"}}}""", ResponseFormatKind.JsonSchema, """{"type":"array","items":{"type":"string"}}""")]
    public void ParseChat_ResponseFormat_IsMapped(string rest, ResponseFormatKind kind, string? schema)
    {
        ResponseFormat format = Succeeds(Chat(rest)).Generation.ResponseFormat!;

        Assert.Equal(kind, format.Kind);
        Assert.Equal(schema, format.Schema?.GetRawText());
    }

    [Theory]
    [InlineData(""","response_format":"json_object" """, "response_format", "must be an object")]
    [InlineData(""","response_format":{"type":"xml"}""", "response_format.type", "must be \"text\", \"json_object\" or \"json_schema\"")]
    [InlineData(""","response_format":{}""", "response_format.type", "is required: \"text\", \"json_object\" or \"json_schema\"")]
    [InlineData(""","response_format":{"type":"json_schema"}""", "response_format.json_schema", "is required: a JSON Schema, or {name, schema, strict}")]
    [InlineData(""","response_format":{"type":"json_schema","json_schema":{"name":"n","schema":5}}""", "response_format.json_schema.schema", "must be an object")]
    public void ParseChat_ResponseFormatInvalid_FailsNamingIt(string rest, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Chat(rest).Error);
    }

    [Fact]
    public void ParseChat_UnsupportedFieldsAskingForNothingAndCompletionsOnlyFields_AreAccepted()
    {
        Succeeds(Chat(""","tools":[],"functions":null,"tool_choice":"none","function_call":"auto","response_format":{"type":"text"},"logit_bias":{},"modalities":["text"],"audio":null,"web_search_options":null,"echo":true,"best_of":3,"suffix":"s" """));
    }

    [Fact]
    public void ParseCompletion_OnlyPrompt_IsRawWithEveryOptionLeftToTheRuntime()
    {
        OpenAiRequest request = Succeeds(Completion(string.Empty));

        Assert.Equal(new TextGenerationRequest { Prompt = "hi", Raw = true, RangesCheckedAgainst = Model.Limits }, request.Generation);
        Assert.Null(request.Generation.Stop);
        Assert.False(request.IncludeUsage);
        Assert.Same(Model, request.Model);
    }

    [Fact]
    public void ParseCompletion_EveryField_IsMappedExactly()
    {
        const string body = """
            {"model":"@ember/tiny-llama","prompt":["Once upon"],"max_completion_tokens":64,"temperature":0,"top_p":1,
             "top_k":1,"seed":1,"n":1,"frequency_penalty":2,"presence_penalty":-0.25,"stream":false,
             "stream_options":{"include_usage":true},"stop":"\n","logprobs":5,"echo":false,"best_of":1,"suffix":""}
            """;

        OpenAiRequest request = Succeeds(OpenAiRequestParser.ParseCompletion(Parse(body), Model));

        var expected = new TextGenerationRequest
        {
            Prompt = "Once upon",
            Raw = true,
            Stream = false,
            MaxTokens = 64,
            Temperature = 0,
            TopP = 1,
            TopK = 1,
            Seed = 1,
            FrequencyPenalty = 2,
            PresencePenalty = -0.25,
            TopLogprobs = 5,
            RangesCheckedAgainst = Model.Limits,
        };
        Assert.Equal(expected, request.Generation with { Stop = null });
        Assert.Equal(["\n"], request.Generation.Stop);
        Assert.True(request.IncludeUsage);
    }

    [Theory]
    [InlineData(""" "prompt":"a" """, "a")]
    [InlineData(""" "prompt":["a"]""", "a")]
    [InlineData(""" "prompt":"caf\u00e9 \ud83d\ude00" """, "café \U0001F600")]
    public void ParseCompletion_PromptStringOrArrayOfOne_IsTheText(string prompt, string expected)
    {
        OpenAiRequest request = Succeeds(OpenAiRequestParser.ParseCompletion(Parse("{" + prompt + "}"), Model));

        Assert.Equal(expected, request.Generation.Prompt);
        Assert.True(request.Generation.Raw);
        Assert.Null(request.Generation.Messages);
    }

    [Theory]
    [InlineData("""{}""", "prompt", "is required")]
    [InlineData("""{"prompt":null}""", "prompt", "is required")]
    [InlineData("""{"prompt":""}""", "prompt", "must be a string of 1 to 131072 characters")]
    [InlineData("""{"prompt":[""]}""", "prompt", "must be a string of 1 to 131072 characters")]
    [InlineData("""{"prompt":[]}""", "prompt", "must be a string or an array of exactly one string")]
    [InlineData("""{"prompt":["a","b"]}""", "prompt", "must be a string or an array of exactly one string")]
    [InlineData("""{"prompt":[5]}""", "prompt", "must be a string")]
    [InlineData("""{"prompt":[[1,2]]}""", "prompt", "must be a string")]
    [InlineData("""{"prompt":5}""", "prompt", "must be a string")]
    [InlineData("""{"prompt":"\ud800"}""", "prompt", "must be valid Unicode text (it has an unpaired surrogate escape)")]
    public void ParseCompletion_PromptInvalid_FailsNamingIt(string json, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), OpenAiRequestParser.ParseCompletion(Parse(json), Model).Error);
    }

    [Fact]
    public void ParseCompletion_PromptAtTheTextLimit_IsAcceptedAndOneMoreIsRefused()
    {
        string longest = new('x', RequestFields.MaxTextLength);

        Assert.Equal(longest, Succeeds(OpenAiRequestParser.ParseCompletion(Parse($$"""{"prompt":"{{longest}}"}"""), Model)).Generation.Prompt);
        Assert.Equal(
            Invalid("prompt", "must be a string of 1 to 131072 characters"),
            OpenAiRequestParser.ParseCompletion(Parse($$"""{"prompt":"{{longest}}x"}"""), Model).Error);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(""","logprobs":null""", null)]
    [InlineData(""","logprobs":0""", 0)]
    [InlineData(""","logprobs":3""", 3)]
    [InlineData(""","logprobs":5""", 5)]
    [InlineData(""","logprobs":5.0""", 5)]
    public void ParseCompletion_IntegerLogprobs_IsTheCountOfAlternatives(string rest, int? expected)
    {
        Assert.Equal(expected, Succeeds(Completion(rest)).Generation.TopLogprobs);
    }

    [Theory]
    [InlineData(""","logprobs":6""")]
    [InlineData(""","logprobs":-1""")]
    [InlineData(""","logprobs":2.5""")]
    [InlineData(""","logprobs":true""")]
    [InlineData(""","logprobs":"3" """)]
    public void ParseCompletion_LogprobsNotFrom0To5_IsRefused(string rest)
    {
        Assert.Equal(Invalid("logprobs", "must be an integer from 0 to 5"), Completion(rest).Error);
    }

    [Fact]
    public void ParseCompletion_TopLogprobs_IsNotAField()
    {
        Assert.Null(Succeeds(Completion(""","top_logprobs":30""")).Generation.TopLogprobs);
    }

    [Theory]
    [InlineData(""","n":3""", "n", "must be an integer from 1 to 1")]
    [InlineData(""","max_tokens":1025""", "max_tokens", "must be an integer from 1 to 1024")]
    [InlineData(""","stop":["a","b","c","d","e"]""", "stop", "must be a string or an array of at most 4 strings")]
    [InlineData(""","stream_options":{"include_usage":1}""", "stream_options.include_usage", "must be a boolean")]
    [InlineData(""","echo":true""", "echo", "must be false or null: echo is not supported")]
    [InlineData(""","best_of":2""", "best_of", "must be 1 or null: best_of is not supported")]
    [InlineData(""","suffix":"end" """, "suffix", "must be empty or null: suffix is not supported")]
    [InlineData(""","logit_bias":{"1":1}""", "logit_bias", "must be empty or null: logit bias is not supported")]
    public void ParseCompletion_Invalid_FailsNamingTheField(string rest, string param, string rule)
    {
        Assert.Equal(Invalid(param, rule), Completion(rest).Error);
    }

    [Fact]
    public void ParseCompletion_ChatOnlyFields_AreIgnored()
    {
        OpenAiRequest request = Succeeds(Completion(""","tools":[{"type":"function"}],"messages":5"""));

        Assert.Equal(new TextGenerationRequest { Prompt = "hi", Raw = true, RangesCheckedAgainst = Model.Limits }, request.Generation);
    }

    [Fact]
    public void ParseCompletion_ResponseFormat_IsMappedAsOnChat()
    {
        OpenAiRequest request = Succeeds(Completion(""","response_format":{"type":"json_object"}"""));

        Assert.Equal(ResponseFormatKind.JsonObject, request.Generation.ResponseFormat!.Kind);
    }
}
