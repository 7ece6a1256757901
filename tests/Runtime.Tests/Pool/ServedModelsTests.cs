using Ember.Models.Catalog;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Runtime.Tests.Pool;

/// <summary>The inventory resolves a model id once, to the handle requests carry on.</summary>
[Collection(RuntimeTestGroup.Name)]
public sealed class ServedModelsTests(TinyModelFixture models)
{
    [Fact]
    public async Task Resolve_ServedModel_IsTheServedModelWithItsLimitsAndAbilities()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var inventory = runtime.Services.GetRequiredService<IModelInventory>();

        var model = inventory.Resolve(Requests.Tiny)!;

        Assert.Same(runtime.Served.All[Requests.Tiny], model);
        Assert.Same(runtime.Served.All[Requests.Tiny].Limits, model.Limits);
        Assert.Equal((Requests.Tiny, true), (model.Id, model.IsInstalled));
        Assert.Equal(new ModelAbilities(TokenPenalties: true, LogprobsUnavailable: null, VocabularyUnavailable: null), model.Abilities);
    }

    [Fact]
    public async Task Resolve_OnWaves_ReportsWhyVocabularyAndLogprobsAreUnavailable()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models, new Dictionary<string, string?> { ["Ember:Models:@ember/tiny-llama:Scheduler"] = "Waves" });

        var abilities = runtime.Services.GetRequiredService<IModelInventory>().Resolve(Requests.Tiny)!.Abilities!;

        Assert.Equal(
            new ModelAbilities(
                TokenPenalties: false,
                LogprobsUnavailable: "they need the continuous scheduler, and it runs on Waves",
                VocabularyUnavailable: "constrained decoding needs the continuous scheduler, and it runs on Waves"),
            abilities);
        Assert.False(abilities.StructuredOutput);
    }

    [Fact]
    public async Task Resolve_CatalogModelNotInstalled_HasTheCatalogLimitsAndNoAbilities()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);
        var entry = ModelCatalog.Get("@hf/codellama/codellama-7b-hf");

        var model = runtime.Services.GetRequiredService<IModelInventory>().Resolve(entry.Id)!;

        Assert.Equal((entry, entry.Limits, false, null), (model.Entry, model.Limits, model.IsInstalled, model.Abilities));
    }

    [Fact]
    public async Task Resolve_IdNotInTheCatalog_IsNull()
    {
        await using var runtime = await RuntimeHarness.StartAsync(models);

        Assert.Null(runtime.Services.GetRequiredService<IModelInventory>().Resolve("@cf/nobody/nothing"));
    }
}
