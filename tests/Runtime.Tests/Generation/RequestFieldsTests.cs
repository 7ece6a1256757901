using System.Globalization;
using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Ember.Runtime.Service;

namespace Ember.Runtime.Tests.Generation;

/// <summary>
/// <see cref="RequestFields"/> as the one place of each rule: the stop-count rule follows its constant, and the
/// sampling defaults are all in the table.
/// </summary>
public sealed class RequestFieldsTests
{
    private static readonly ModelLimits Limits = new(256, 1800, 2048, 1800);

    [Fact]
    public void StopRule_NamesMaxStopStrings() =>
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $" at most {RequestFields.MaxStopStrings} strings"), RequestFields.StopRule, StringComparison.Ordinal);

    [Fact]
    public void Validate_MaxStopStrings_Passes()
    {
        var request = new TextGenerationRequest { Prompt = "a", Stop = [.. Enumerable.Range(0, RequestFields.MaxStopStrings).Select(i => "s" + i)] };

        RequestValidator.Validate(request, Limits);
    }

    [Fact]
    public void Validate_OneStopStringOverMax_RefusedWithTheStopRule()
    {
        var request = new TextGenerationRequest { Prompt = "a", Stop = [.. Enumerable.Range(0, RequestFields.MaxStopStrings + 1).Select(i => "s" + i)] };

        var error = Assert.Throws<AiTextGenerationException>(() => RequestValidator.Validate(request, Limits));

        Assert.Equal(AiErrorKind.BadInput, error.Kind);
        Assert.Equal("stop: " + RequestFields.StopRule, error.Message);
    }

    [Fact]
    public void Sampling_EveryFieldButSeed_HasItsDefaultInTheTable()
    {
        Assert.Equal(
            ["temperature 0.6", "top_p 1", "top_k 50", "seed none", "repetition_penalty 1", "frequency_penalty 0", "presence_penalty 0"],
            RequestFields.Sampling.Select(field => field.Name + " " + (field.Default is { } value ? value.ToString(CultureInfo.InvariantCulture) : "none")));
    }
}
