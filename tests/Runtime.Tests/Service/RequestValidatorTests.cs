using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Generation;
using Ember.Runtime.Service;

namespace Ember.Runtime.Tests.Service;

public sealed class RequestValidatorTests
{
    private static readonly ModelLimits Limits = new(256, 1800, 2048, 1800);

    public static TheoryData<TextGenerationRequest, string> BadRequests => new()
    {
        { new TextGenerationRequest(), "body: must have exactly one of prompt and messages, not both" },
        { new TextGenerationRequest { Prompt = "a", Messages = [new(ChatRole.User, "b")] }, "body: must have exactly one of prompt and messages, not both" },
        { new TextGenerationRequest { Prompt = string.Empty }, "prompt: must be a string of 1 to 131072 characters" },
        { new TextGenerationRequest { Prompt = new string('a', 131_073) }, "prompt: must be a string of 1 to 131072 characters" },
        { new TextGenerationRequest { Prompt = "a\0b" }, "prompt: must not contain U+0000" },
        { new TextGenerationRequest { Messages = [new(ChatRole.User, "a\0")] }, "messages[0].content: must not contain U+0000" },
        { new TextGenerationRequest { Messages = [new(ChatRole.User, new string('a', 131_073))] }, "messages[0].content: must be a string of at most 131072 characters" },
        { new TextGenerationRequest { Messages = [] }, "messages: must be a non-empty array of {role, content} objects" },
        { new TextGenerationRequest { Prompt = "a", MaxTokens = 0 }, "max_tokens: must be an integer from 1 to 1800" },
        { new TextGenerationRequest { Prompt = "a", MaxTokens = 1801 }, "max_tokens: must be an integer from 1 to 1800" },
        { new TextGenerationRequest { Prompt = "a", Temperature = 5.1 }, "temperature: must be a number from 0 to 5" },
        { new TextGenerationRequest { Prompt = "a", Temperature = -0.1 }, "temperature: must be a number from 0 to 5" },
        { new TextGenerationRequest { Prompt = "a", TopK = 51 }, "top_k: must be an integer from 1 to 50" },
        { new TextGenerationRequest { Prompt = "a", TopK = 0 }, "top_k: must be an integer from 1 to 50" },
        { new TextGenerationRequest { Prompt = "a", TopP = -0.01 }, "top_p: must be a number from 0 to 2" },
        { new TextGenerationRequest { Prompt = "a", TopP = 2.01 }, "top_p: must be a number from 0 to 2" },
        { new TextGenerationRequest { Prompt = "a", Seed = 0 }, "seed: must be an integer from 1 to 9999999999" },
        { new TextGenerationRequest { Prompt = "a", Seed = 10_000_000_000 }, "seed: must be an integer from 1 to 9999999999" },
        { new TextGenerationRequest { Prompt = "a", RepetitionPenalty = 0 }, "repetition_penalty: must be a number greater than 0 and at most 2" },
        { new TextGenerationRequest { Prompt = "a", RepetitionPenalty = 3 }, "repetition_penalty: must be a number greater than 0 and at most 2" },
        { new TextGenerationRequest { Prompt = "a", FrequencyPenalty = 2.5 }, "frequency_penalty: must be a number from -2 to 2" },
        { new TextGenerationRequest { Prompt = "a", PresencePenalty = -3 }, "presence_penalty: must be a number from -2 to 2" },
        { new TextGenerationRequest { Prompt = "a", TopLogprobs = 21 }, "top_logprobs: must be an integer from 0 to 20" },
        { new TextGenerationRequest { Prompt = "a", Temperature = double.NaN }, "temperature: must be a number from 0 to 5" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Validate_BadInput_ThrowsBadInputWithTheParsersWords(TextGenerationRequest request, string expected)
    {
        var error = Assert.Throws<AiTextGenerationException>(() => RequestValidator.Validate(request, Limits));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Validate_EveryFieldAtItsBounds_Passes()
    {
        TextGenerationRequest[] atBounds =
        [
            new() { Prompt = "a", MaxTokens = 1, Temperature = 0, TopP = 0, TopK = 1, Seed = 1, RepetitionPenalty = 0.01, FrequencyPenalty = -2, PresencePenalty = -2, TopLogprobs = 0 },
            new() { Prompt = new string('a', 131_072), MaxTokens = 1800, Temperature = 5, TopP = 2, TopK = 50, Seed = 9_999_999_999, RepetitionPenalty = 2, FrequencyPenalty = 2, PresencePenalty = 2, TopLogprobs = 20 },
            new() { Messages = [new(ChatRole.User, string.Empty)] },
        ];

        foreach (var request in atBounds)
        {
            RequestValidator.Validate(request, Limits);
        }
    }

    [Fact]
    public void Validate_EveryTableFieldJustPastItsRange_FailsWithTheFieldsOwnMessage()
    {
        foreach (var field in RequestFields.All.Where(field => field.Apis.HasFlag(RequestApis.OpenAiChat) || field.Apis.HasFlag(RequestApis.WorkersAi)))
        {
            if (field == RequestFields.Choices)
            {
                continue; // n is the OpenAI parser's alone: a TextGenerationRequest has no such field.
            }

            var step = field.Type == RequestFieldType.WholeNumber ? 1 : 0.5;
            foreach (var value in new[] { field.Range.ExclusiveMinimum ? field.Range.Minimum : field.Range.Minimum - step, field.Range.Maximum + step })
            {
                var request = With(field, value);

                var error = Assert.Throws<AiTextGenerationException>(() => RequestValidator.Validate(request, Limits));

                Assert.Equal(field.Failure(), error.Message);
            }
        }
    }

    private static TextGenerationRequest With(RequestField field, double value) => field.Name switch
    {
        "temperature" => new() { Prompt = "a", Temperature = value },
        "top_p" => new() { Prompt = "a", TopP = value },
        "top_k" => new() { Prompt = "a", TopK = (int)value },
        "seed" => new() { Prompt = "a", Seed = (long)value },
        "repetition_penalty" => new() { Prompt = "a", RepetitionPenalty = value },
        "frequency_penalty" => new() { Prompt = "a", FrequencyPenalty = value },
        "presence_penalty" => new() { Prompt = "a", PresencePenalty = value },
        "top_logprobs" => new() { Prompt = "a", TopLogprobs = (int)value },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Name, "a field this test does not know"),
    };

    [Fact]
    public void Validate_RangesCheckedAgainstTheseLimits_LeavesThemUnchecked()
    {
        var request = new TextGenerationRequest { Prompt = new string('a', 131_073), MaxTokens = 5000, Temperature = 9, TopK = 0, Stop = ["", "b", "c", "d", "e"], RangesCheckedAgainst = Limits };

        RequestValidator.Validate(request, Limits);
    }

    [Fact]
    public void Validate_RangesCheckedAgainstOtherLimits_ChecksThem()
    {
        var request = new TextGenerationRequest { Prompt = "a", Temperature = 9, RangesCheckedAgainst = new ModelLimits(256, 1800, 2048, 1800) };

        var error = Assert.Throws<AiTextGenerationException>(() => RequestValidator.Validate(request, Limits));

        Assert.Equal((AiErrorKind.BadInput, "temperature: must be a number from 0 to 5"), (error.Kind, error.Message));
    }

    [Theory]
    [InlineData("a\0b", "prompt: must not contain U+0000")]
    [InlineData(null, "body: must have exactly one of prompt and messages, not both")]
    public void Validate_RangesChecked_StillChecksTheOtherRules(string? prompt, string message)
    {
        var request = new TextGenerationRequest { Prompt = prompt, Temperature = 9, RangesCheckedAgainst = Limits };

        var error = Assert.Throws<AiTextGenerationException>(() => RequestValidator.Validate(request, Limits));

        Assert.Equal((AiErrorKind.BadInput, message), (error.Kind, error.Message));
    }
}
