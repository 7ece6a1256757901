using System.Net;
using System.Text.Json;
using Ember.Host.Batch;
using Ember.Host.Errors;
using Ember.Host.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Ember.Host.Tests.Batch;

/// <summary>
/// Chaos on SQLite: the batch folder on a 2 MiB tmpfs, filled to the last byte. The batch API answers 507 (3040) naming
/// the batch store and its disk, interactive requests are served as before, and once space is freed the batch API
/// stores and runs jobs again.
/// </summary>
public sealed class SqliteDiskFullTests : IDisposable
{
    private const string Model = "@ember/tiny-llama";
    private const string Interactive = """{"prompt":"one fish","max_tokens":8,"temperature":0}""";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ember-batch-full-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task DiskFull_BatchApiAnswers507NamingTheStore_RunStillServed_BatchWorksAgainOnceSpaceIsFreed()
    {
        string batchFolder = Path.Combine(_folder, "batch");
        await using Tmpfs disk = await Tmpfs.MountAsync(batchFolder, "2m");
        BatchHost host = await BatchHost.StartAsync(_folder);
        try
        {
            using HttpClient client = host.CreateClient();
            string alone = (await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json(Interactive)))).GetRawText();
            string filler = Path.Combine(batchFolder, "filler");
            long filled = Tmpfs.Fill(filler);
            Assert.InRange(filled, 1, 2 * 1024 * 1024);

            // A job larger than anything the database's files have room for: 300 items of 1,000-character references.
            string reference = new('r', 1000);
            string big = "{\"requests\":[" + string.Join(',', Enumerable.Range(0, 300).Select(i => $$"""{"prompt":"item {{i}}","max_tokens":1,"external_reference":"{{reference}}"}""")) + "]}";
            using (HttpResponseMessage refused = await client.PostAsync(ApiAssert.RunPath(Model) + "?queueRequest=true", ApiAssert.Json(big)))
            {
                await ApiAssert.ErrorAsync(refused, HttpStatusCode.InsufficientStorage, ErrorMapping.OutOfCapacityCode, ErrorMapping.BatchStoreFullMessage, exact: true);
            }

            // Interactive requests do not touch the store: served, with the same answer, while the disk is full.
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(alone, (await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json(Interactive)))).GetRawText());
            }

            // Space freed: a job is stored, run and answered again.
            File.Delete(filler);
            JsonElement queued = await ApiAssert.SuccessAsync(await client.PostAsync(
                ApiAssert.RunPath(Model) + "?queueRequest=true",
                ApiAssert.Json("{\"requests\":[" + string.Join(',', Enumerable.Repeat(Interactive, 4)) + "]}")));
            string id = queued.GetProperty("request_id").GetString()!;
            await host.Services.GetRequiredService<BatchProgress>().WhenFinishedAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            JsonElement done = await ApiAssert.SuccessAsync(await client.PostAsync(ApiAssert.RunPath(Model), ApiAssert.Json($$"""{"request_id":"{{id}}"}""")));
            Assert.Equal(Enumerable.Repeat(alone, 4), done.GetProperty("responses").EnumerateArray().Select(item => item.GetProperty("result").GetRawText()));
        }
        finally
        {
            // Nothing may hold a file on the tmpfs when it is unmounted.
            await host.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
