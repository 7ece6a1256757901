using Ember.Runtime.Generation;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// <see cref="SamplingSettings.From"/> takes every absent sampling field's default from <see cref="RequestFields"/>:
/// each field of <see cref="RequestFields.Sampling"/> is read back from the settings, so a default written beside the
/// table fails here as soon as the table's changes.
/// </summary>
public sealed class SamplingSettingsTests
{
    private static readonly Dictionary<string, Func<SamplingSettings, double?>> Read = new(StringComparer.Ordinal)
    {
        ["temperature"] = settings => settings.Temperature,
        ["top_p"] = settings => settings.TopP,
        ["top_k"] = settings => settings.TopK,
        ["seed"] = settings => settings.Seed,
        ["repetition_penalty"] = settings => settings.RepetitionPenalty,
        ["frequency_penalty"] = settings => settings.FrequencyPenalty,
        ["presence_penalty"] = settings => settings.PresencePenalty,
    };

    public static TheoryData<string> SamplingFields => [.. RequestFields.Sampling.Select(sampling => sampling.Name)];

    [Theory]
    [MemberData(nameof(SamplingFields))]
    public void From_FieldAbsent_TakesTheTablesDefault(string name)
    {
        var field = RequestFields.Sampling.Single(f => f.Name == name);

        var settings = SamplingSettings.From(new TextGenerationRequest { Prompt = "a" });

        Assert.True(settings.DoSample);
        Assert.Equal(field.Default, Read[name](settings));
    }

    [Theory]
    [InlineData("repetition_penalty")]
    [InlineData("frequency_penalty")]
    [InlineData("presence_penalty")]
    public void From_GreedyWithPenaltyAbsent_TakesTheTablesDefault(string name)
    {
        var field = RequestFields.Sampling.Single(f => f.Name == name);

        var settings = SamplingSettings.From(new TextGenerationRequest { Prompt = "a", Temperature = 0 });

        Assert.False(settings.DoSample);
        Assert.Equal(field.Default, Read[name](settings));
    }

    [Fact]
    public void From_EveryFieldSet_TakesTheRequestsValues()
    {
        var settings = SamplingSettings.From(new TextGenerationRequest
        {
            Prompt = "a", Temperature = 0.9, TopP = 0.8, TopK = 7, Seed = 42, RepetitionPenalty = 1.2, FrequencyPenalty = 0.5, PresencePenalty = -0.5,
        });

        Assert.Equal(new SamplingSettings(true, 0.9, 0.8, 7, 42, 1.2, 0.5, -0.5), settings);
    }
}
