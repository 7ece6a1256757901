using System.Net;
using System.Text.Json;
using Ember.Host.Finetunes;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using Ember.Models.Lora;
using Microsoft.Extensions.Logging;

namespace Ember.Host.Tests.Finetunes;

/// <summary>
/// The fine-tunes kept across a restart, and those every account sees: each test runs hosts of its own in a folder of
/// its own (a second host on the same folder is the restart), so what other tests upload does not change its answers.
/// </summary>
public sealed class FinetuneStoreTests : IDisposable
{
    private const string Model = ModelCatalog.TinyLlamaId;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-finetunes-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Restart_ServesTheUploadedFinetuneAndDeletesTheHalfUploaded()
    {
        const string account = "acct-restart";
        string kept, half, before;
        JsonElement listed;
        await using (FinetuneHost first = await FinetuneHost.StartAsync(_folder))
        {
            using HttpClient client = first.CreateClient();
            kept = await FinetuneEndpointsTests.CreateServedAsync(client, account, "kept");
            half = (await FinetuneEndpointsTests.CreateAsync(client, account, """{"model":"@ember/tiny-llama","name":"half"}""")).GetProperty("id").GetString()!;
            await ApiAssert.SuccessAsync(await FinetuneEndpointsTests.UploadAsync(client, account, half, PeftAdapterConfig.FileName, FinetuneEndpointsTests.Wide(PeftAdapterConfig.FileName)));
            before = await FinetuneEndpointsTests.TextAsync(client, account, "kept");
            Assert.Equal(await FinetuneEndpointsTests.TextAsync(client, account, "wide"), before);
            listed = (await FinetuneEndpointsTests.ListAsync(client, account)).EnumerateArray().First();
        }

        await using FinetuneHost second = await FinetuneHost.StartAsync(_folder);
        using HttpClient again = second.CreateClient();

        JsonElement only = Assert.Single((await FinetuneEndpointsTests.ListAsync(again, account)).EnumerateArray().ToArray());
        Assert.Equal(listed.GetRawText(), only.GetRawText());
        Assert.Equal(before, await FinetuneEndpointsTests.TextAsync(again, account, "kept"));
        Assert.Equal(before, await FinetuneEndpointsTests.TextAsync(again, account, kept));
        Assert.False(Directory.Exists(Path.Combine(FinetuneHost.FinetunesFolder(_folder), half)));
        Assert.Equal([kept], Directory.GetDirectories(FinetuneHost.FinetunesFolder(_folder)).Select(Path.GetFileName));
        Assert.Contains((2401, LogLevel.Warning, $"Fine-tune {half} ('half' of {Model}) was half uploaded (adapter_model.safetensors missing): deleted at start-up"), second.Log.Entries.Select(entry => (entry.Id.Id, entry.Level, entry.Message)));
        Assert.Contains((2400, LogLevel.Information, $"Fine-tunes in {FinetuneHost.FinetunesFolder(_folder)}: 1 served, 0 kept but not served"), second.Log.Entries.Select(entry => (entry.Id.Id, entry.Level, entry.Message)));
        await ApiAssert.ErrorAsync(
            await FinetuneEndpointsTests.UploadAsync(again, account, half, LoraAdapter.WeightsFileName, FinetuneEndpointsTests.Wide(LoraAdapter.WeightsFileName)),
            HttpStatusCode.BadRequest,
            5006,
            "finetune_id: no fine-tune with this id",
            exact: true);
    }

    [Fact]
    public async Task PublicFinetune_ListedAndServedToEveryAccount_PrivateOneNot()
    {
        await using FinetuneHost host = await FinetuneHost.StartAsync(_folder);
        using HttpClient client = host.CreateClient();
        using HttpClient otherToken = host.CreateClient(FinetuneHost.OtherToken);
        string shared = await FinetuneEndpointsTests.CreateServedAsync(client, "acct-publisher", "shared-wide", isPublic: true);
        await FinetuneEndpointsTests.CreateServedAsync(client, "acct-publisher", "kept-wide");

        JsonElement listed = await ApiAssert.SuccessAsync(await otherToken.GetAsync(FinetuneEndpointsTests.FinetunesPath("acct-reader") + "/public"));

        JsonElement item = Assert.Single(listed.EnumerateArray().ToArray());
        Assert.Equal((shared, "shared-wide", Model, true), (item.GetProperty("id").GetString(), item.GetProperty("name").GetString(), item.GetProperty("model").GetString(), item.GetProperty("public").GetBoolean()));
        string wide = await FinetuneEndpointsTests.TextAsync(otherToken, "acct-reader", "wide");
        Assert.Equal(wide, await FinetuneEndpointsTests.TextAsync(otherToken, "acct-reader", "shared-wide"));
        Assert.Equal(wide, await FinetuneEndpointsTests.TextAsync(otherToken, "acct-reader", shared));
        await ApiAssert.ErrorAsync(await FinetuneEndpointsTests.RunAsync(otherToken, "acct-reader", "kept-wide"), HttpStatusCode.BadRequest, 5006, $"lora: no adapter 'kept-wide' for {Model}; it serves 'wide', 'shared-wide'.", exact: true);
        Assert.Equal(0, (await FinetuneEndpointsTests.ListAsync(otherToken, "acct-reader")).GetArrayLength());
        await ApiAssert.ErrorAsync(await otherToken.GetAsync(FinetuneEndpointsTests.FinetunesPath("acct-reader") + "/public?limit=0"), HttpStatusCode.BadRequest, 5006, "limit: must be an integer from 1 to 1000", exact: true);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
