using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ember.Host.Finetunes;
using Ember.Host.Tests.Infrastructure;
using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Models.Writing;

namespace Ember.Host.Tests.Finetunes;

/// <summary>
/// The finetunes API on the real runtime: a fine-tune created and its two PEFT files uploaded is served at once, exactly
/// as the same adapter declared in runtime.json; bad input is refused with 5006 and leaves nothing on disk; another
/// account's or token's fine-tune is an unknown id; a request without a token is refused as the batch API refuses it.
/// Each test works under an account id of its own.
/// </summary>
[Collection(FinetuneHostCollectionDefinition.Name)]
public sealed partial class FinetuneEndpointsTests(FinetuneHostFixture fixture)
{
    private const string Model = ModelCatalog.TinyLlamaId;
    private const string Prompt = "\"prompt\":\"Tell me about the sea\",\"max_tokens\":12,\"temperature\":0";

    private FinetuneHost Host => fixture.Host;

    [Fact]
    public async Task CreateUploadList_TheStaticAdaptersFiles_ServedAsIt()
    {
        const string account = "acct-served";
        using HttpClient client = Host.CreateClient();

        JsonElement created = await CreateAsync(client, account, """{"model":"@ember/tiny-llama","name":"wide-ft","description":"the wide adapter, uploaded"}""");

        string id = created.GetProperty("id").GetString()!;
        Assert.Matches(UuidPattern(), id);
        Assert.Equal(["id", "name", "description", "model", "public", "created_at", "modified_at"], created.EnumerateObject().Select(property => property.Name));
        Assert.Equal("wide-ft", created.GetProperty("name").GetString());
        Assert.Equal("the wide adapter, uploaded", created.GetProperty("description").GetString());
        Assert.Equal(Model, created.GetProperty("model").GetString());
        Assert.False(created.GetProperty("public").GetBoolean());
        Assert.Matches(StampPattern(), created.GetProperty("created_at").GetString());
        Assert.Equal(created.GetProperty("created_at").GetString(), created.GetProperty("modified_at").GetString());
        await ApiAssert.ErrorAsync(await RunAsync(client, account, "wide-ft"), HttpStatusCode.BadRequest, 5006, "lora: the fine-tune 'wide-ft' of @ember/tiny-llama is not served: both of its files are not uploaded yet", exact: true);

        JsonElement config = await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName)));
        JsonElement weights = await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, LoraAdapter.WeightsFileName, Wide(LoraAdapter.WeightsFileName)));

        Assert.Equal(["id", "finetune_id", "file_name", "created_at", "modified_at"], config.EnumerateObject().Select(property => property.Name));
        Assert.Equal((id, PeftAdapterConfig.FileName), (config.GetProperty("finetune_id").GetString(), config.GetProperty("file_name").GetString()));
        Assert.Equal((id, LoraAdapter.WeightsFileName), (weights.GetProperty("finetune_id").GetString(), weights.GetProperty("file_name").GetString()));
        JsonElement listed = Assert.Single((await ListAsync(client, account)).EnumerateArray().ToArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.Equal(created.GetProperty("created_at").GetString(), listed.GetProperty("created_at").GetString());
        Assert.Equal(weights.GetProperty("created_at").GetString(), listed.GetProperty("modified_at").GetString());
        Assert.Equal(
            [PeftAdapterConfig.FileName, LoraAdapter.WeightsFileName, FinetuneStore.RecordFileName],
            Directory.GetFiles(Path.Combine(FinetuneHost.FinetunesFolder(fixture.Folder), id)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Wide(LoraAdapter.WeightsFileName), await File.ReadAllBytesAsync(Path.Combine(FinetuneHost.FinetunesFolder(fixture.Folder), id, LoraAdapter.WeightsFileName)));

        string none = await TextAsync(client, account, null);
        string wide = await TextAsync(client, account, "wide");
        Assert.NotEqual(none, wide);
        Assert.Equal(wide, await TextAsync(client, account, "wide-ft"));
        Assert.Equal(wide, await TextAsync(client, account, id));
        Assert.Equal(none, await TextAsync(client, account, null));
    }

    /// <summary>
    /// A fine-tune of a model builder export (no LoRA inputs in its file; <c>Lora:Enabled</c>, so Ember adds them when it
    /// loads) is served at once: its text on <c>/ai/run</c> is not the base model's, and <c>model:finetune</c> on the
    /// OpenAI completions endpoint gives the same.
    /// </summary>
    [Fact]
    public async Task CreateUploadRun_BuilderExport_ServedOnRunAndModelColonFinetune()
    {
        const string account = "acct-builder";
        const string body = "\"prompt\":\"the sea and the moon\",\"raw\":true,\"max_tokens\":12,\"temperature\":0";
        using HttpClient client = Host.CreateClient();
        string id = (await CreateAsync(client, account, $$"""{"model":"{{FinetuneHost.BuilderModel}}","name":"wide-export"}""")).GetProperty("id").GetString()!;
        await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName)));
        await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, LoraAdapter.WeightsFileName, Wide(LoraAdapter.WeightsFileName)));
        async Task<string> Run(string extra) =>
            (await ApiAssert.SuccessAsync(await client.PostAsync($"client/v4/accounts/{account}/ai/run/{FinetuneHost.BuilderModel}", ApiAssert.Json($"{{{body}{extra}}}")))).GetProperty("response").GetString()!;

        string none = await Run(string.Empty);
        string tuned = await Run(",\"lora\":\"wide-export\"");

        Assert.NotEqual(none, tuned);
        Assert.Equal(tuned, await Run($",\"lora\":\"{id}\""));
        using HttpResponseMessage completion = await client.PostAsync(
            $"client/v4/accounts/{account}/ai/v1/completions",
            ApiAssert.Json($$"""{"model":"{{FinetuneHost.BuilderModel}}:wide-export","prompt":"the sea and the moon","max_tokens":12,"temperature":0}"""));
        string completed = await completion.Content.ReadAsStringAsync();
        Assert.True(completion.StatusCode == HttpStatusCode.OK, completed);
        using JsonDocument document = JsonDocument.Parse(completed);
        Assert.Equal(tuned, document.RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task ChatCompletions_ModelColonFinetune_AsModelColonStaticAdapter_AndListedInModels()
    {
        const string account = "acct-openai";
        using HttpClient client = Host.CreateClient();
        await CreateServedAsync(client, account, "wide-chat");

        string wide = await ChatAsync(client, account, $"{Model}:wide");

        Assert.Equal(wide, await ChatAsync(client, account, $"{Model}:wide-chat"));
        Assert.NotEqual(await ChatAsync(client, account, Model), wide);
        Assert.Equal([Model, $"{Model}:wide", $"{Model}:wide-chat"], await ModelIdsAsync(client, account));
        Assert.Equal([Model, $"{Model}:wide"], await ModelIdsAsync(client, "acct-someone-else"));
    }

    [Fact]
    public async Task Upload_FileBeforeItsNameAndWeightsBeforeConfig_Served()
    {
        const string account = "acct-order";
        using HttpClient client = Host.CreateClient();
        string id = (await CreateAsync(client, account, """{"model":"@ember/tiny-llama","name":"reordered"}""")).GetProperty("id").GetString()!;

        await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, LoraAdapter.WeightsFileName, Wide(LoraAdapter.WeightsFileName), fileFirst: true));
        await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName), fileFirst: true));

        Assert.Equal(await TextAsync(client, account, "wide"), await TextAsync(client, account, "reordered"));
        await ApiAssert.ErrorAsync(
            await UploadAsync(client, account, id, PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName)),
            HttpStatusCode.BadRequest,
            5006,
            "file_name: the fine-tune is served already; its files cannot change (create another fine-tune)",
            exact: true);
    }

    [Theory]
    [InlineData("rank", "file: adapter_config.json: rank r = 128 is above the limit of 64.")]
    [InlineData("module", "file: adapter_config.json: target module 'gate_proj' is not one the model takes adapters on (q_proj, k_proj, v_proj, o_proj).")]
    [InlineData("oversized", "file: adapter_model.safetensors is above the limit of 65536 bytes")]
    [InlineData("header", "file: adapter_model.safetensors has a corrupt safetensors header: a header of 4096 bytes does not fit in the file's 16.")]
    [InlineData("shape", "file: adapter_model.safetensors: tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight' has shape [8, 64]; the model and r = 4 need [4, 64].")]
    public async Task Upload_BadAdapter_5006NamingIt_NothingOfTheFileKept(string bad, string message)
    {
        string account = "acct-bad-" + bad;
        using HttpClient client = Host.CreateClient();
        string id = (await CreateAsync(client, account, $$"""{"model":"@ember/tiny-llama","name":"bad-{{bad}}"}""")).GetProperty("id").GetString()!;
        string folder = Path.Combine(FinetuneHost.FinetunesFolder(fixture.Folder), id);
        string[] kept = [FinetuneStore.RecordFileName];
        (string FileName, byte[] Bytes) upload;
        switch (bad)
        {
            case "rank":
                upload = (PeftAdapterConfig.FileName, Config(new PeftAdapterConfig { R = 128, LoraAlpha = 16, TargetModules = ["q_proj"] }));
                break;
            case "module":
                upload = (PeftAdapterConfig.FileName, Config(new PeftAdapterConfig { R = 8, LoraAlpha = 16, TargetModules = ["q_proj", "gate_proj"] }));
                break;
            case "oversized":
                upload = (LoraAdapter.WeightsFileName, Adapter(rank: 32, LoraAdapter.WeightsFileName));
                break;
            case "header":
                var corrupt = new byte[24];
                BinaryPrimitives.WriteUInt64LittleEndian(corrupt, 4096);
                upload = (LoraAdapter.WeightsFileName, corrupt);
                break;
            default:
                await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, PeftAdapterConfig.FileName, Config(new PeftAdapterConfig { R = 4, LoraAlpha = 16, TargetModules = ["q_proj", "k_proj", "v_proj", "o_proj"] })));
                kept = [FinetuneStore.RecordFileName, PeftAdapterConfig.FileName];
                upload = (LoraAdapter.WeightsFileName, Wide(LoraAdapter.WeightsFileName));
                break;
        }

        using HttpResponseMessage response = await UploadAsync(client, account, id, upload.FileName, upload.Bytes);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, message, exact: true);
        Assert.Equal(kept.Order(StringComparer.Ordinal), Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        await ApiAssert.ErrorAsync(await RunAsync(client, account, $"bad-{bad}"), HttpStatusCode.BadRequest, 5006, $"lora: the fine-tune 'bad-{bad}' of {Model} is not served: both of its files are not uploaded yet", exact: true);
    }

    [Theory]
    [InlineData("""{"model":"@cf/nope/none","name":"x"}""", "model: no such model '@cf/nope/none'")]
    [InlineData("""{"model":"@cf/mistral/mistral-7b-instruct-v0.1","name":"x"}""", "model: @cf/mistral/mistral-7b-instruct-v0.1 is not installed on this server")]
    [InlineData("""{"model":"@cf/meta/llama-2-7b-chat-int8","name":"x"}""", "model: @cf/meta/llama-2-7b-chat-int8 takes no LoRA adapters: it runs on the wave scheduler (Scheduler: Waves), which serves no adapters; they need Scheduler: Continuous")]
    [InlineData("""{"model":"@ember/tiny-llama","name":"not a name"}""", "name: must be 1 to 64 letters, digits, '-', '_' or '.'")]
    [InlineData("""{"model":"@ember/tiny-llama","name":"wide"}""", "name: 'wide' is an adapter @ember/tiny-llama serves already (runtime.json)")]
    [InlineData("""{"model":"@ember/tiny-llama"}""", "name: is required")]
    [InlineData("""{"name":"x","public":"yes"}""", "public: must be a boolean")]
    public async Task Create_BadInput_5006NamingIt_NothingStored(string body, string message)
    {
        const string account = "acct-refused";
        using HttpClient client = Host.CreateClient();
        string root = FinetuneHost.FinetunesFolder(fixture.Folder);
        string[] before = [.. Directory.GetDirectories(root).Order(StringComparer.Ordinal)];

        using HttpResponseMessage response = await client.PostAsync(FinetunesPath(account), ApiAssert.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, 5006, message, exact: true);
        Assert.Equal(before, Directory.GetDirectories(root).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await ListAsync(client, account)).GetArrayLength());
    }

    [Fact]
    public async Task Upload_AnotherAccountsOrTokensFinetune_UnknownIdAndNothingStored()
    {
        const string account = "acct-owner";
        using HttpClient owner = Host.CreateClient();
        using HttpClient otherToken = Host.CreateClient(FinetuneHost.OtherToken);
        string id = await CreateServedAsync(owner, account, "private-one");
        string folder = Path.Combine(FinetuneHost.FinetunesFolder(fixture.Folder), id);
        DateTime written = File.GetLastWriteTimeUtc(Path.Combine(folder, PeftAdapterConfig.FileName));
        const string unknown = "finetune_id: no fine-tune with this id";

        await ApiAssert.ErrorAsync(await UploadAsync(owner, "acct-intruder", id, PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName)), HttpStatusCode.BadRequest, 5006, unknown, exact: true);
        await ApiAssert.ErrorAsync(await UploadAsync(otherToken, account, id, PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName)), HttpStatusCode.BadRequest, 5006, unknown, exact: true);
        await ApiAssert.ErrorAsync(await UploadAsync(owner, account, Guid.NewGuid().ToString("D"), PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName)), HttpStatusCode.BadRequest, 5006, unknown, exact: true);

        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(folder, PeftAdapterConfig.FileName)));
        Assert.Equal(3, Directory.GetFiles(folder).Length);
        Assert.Equal(0, (await ListAsync(owner, "acct-intruder")).GetArrayLength());
        Assert.Equal(0, (await ListAsync(otherToken, account)).GetArrayLength());
        Assert.Equal(1, (await ListAsync(owner, account)).GetArrayLength());
        foreach (string lora in new[] { "private-one", id })
        {
            await ApiAssert.ErrorAsync(await RunAsync(owner, "acct-intruder", lora), HttpStatusCode.BadRequest, 5006, $"lora: no adapter '{lora}' for {Model}; it serves 'wide'.", exact: true);
            await ApiAssert.ErrorAsync(await RunAsync(otherToken, account, lora), HttpStatusCode.BadRequest, 5006, $"lora: no adapter '{lora}' for {Model}; it serves 'wide'.", exact: true);
        }
    }

    [Fact]
    public async Task Finetunes_WithoutAToken_RefusedAsTheBatchApiRefusesIt()
    {
        using HttpClient anonymous = Host.CreateClient(token: null);
        using HttpResponseMessage batch = await anonymous.PostAsync("client/v4/accounts/acct-anon/ai/run/@ember/tiny-llama?queueRequest=true", ApiAssert.Json("""{"requests":[{"prompt":"hi"}]}"""));
        string batchBody = await batch.Content.ReadAsStringAsync();
        using var form = new MultipartFormDataContent { { new StringContent(PeftAdapterConfig.FileName), "file_name" }, { new ByteArrayContent(Wide(PeftAdapterConfig.FileName)), "file", PeftAdapterConfig.FileName } };

        HttpResponseMessage[] responses =
        [
            await anonymous.PostAsync(FinetunesPath("acct-anon"), ApiAssert.Json("""{"model":"@ember/tiny-llama","name":"anon"}""")),
            await anonymous.GetAsync(FinetunesPath("acct-anon")),
            await anonymous.GetAsync(FinetunesPath("acct-anon") + "/public"),
            await anonymous.PostAsync(FinetunesPath("acct-anon") + $"/{Guid.NewGuid():D}/finetune-assets", form),
        ];

        Assert.Equal(HttpStatusCode.Unauthorized, batch.StatusCode);
        await ApiAssert.ErrorAsync(batch, HttpStatusCode.Unauthorized, 10000, "Authentication error", exact: true);
        foreach (HttpResponseMessage response in responses)
        {
            using (response)
            {
                Assert.Equal(batchBody, await response.Content.ReadAsStringAsync());
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
            }
        }
    }

    [Fact]
    public async Task Batch_ItemNamingAFinetune_AnsweredAsRunWithIt()
    {
        const string account = "acct-batch";
        using HttpClient client = Host.CreateClient();
        await CreateServedAsync(client, account, "batched-wide");
        string expected = await TextAsync(client, account, "wide");

        using HttpResponseMessage submitted = await client.PostAsync($"client/v4/accounts/{account}/ai/run/{Model}?queueRequest=true", ApiAssert.Json($$"""{"requests":[{{{Prompt}},"lora":"batched-wide"},{{{Prompt}},"lora":"nope"}]}"""));
        string requestId = (await ApiAssert.SuccessAsync(submitted)).GetProperty("request_id").GetString()!;
        JsonElement result;
        do
        {
            await Task.Delay(100);
            result = await ApiAssert.SuccessAsync(await client.PostAsync($"client/v4/accounts/{account}/ai/run/{Model}", ApiAssert.Json($$"""{"request_id":"{{requestId}}"}""")));
        }
        while (!result.TryGetProperty("responses", out _));

        JsonElement[] responses = [.. result.GetProperty("responses").EnumerateArray()];
        Assert.Equal(expected, responses[0].GetProperty("result").GetProperty("response").GetString());
        Assert.Equal($"lora: no adapter 'nope' for {Model}; it serves 'wide', 'batched-wide'.", responses[1].GetProperty("result").GetProperty("message").GetString());
    }

    internal static string FinetunesPath(string account) => $"client/v4/accounts/{account}/ai/finetunes";

    /// <summary>A file of the adapter "wide", as runtime.json declares it.</summary>
    internal static byte[] Wide(string fileName) => Adapter(8, fileName);

    internal static async Task<JsonElement> CreateAsync(HttpClient client, string account, string body) =>
        await ApiAssert.SuccessAsync(await client.PostAsync(FinetunesPath(account), ApiAssert.Json(body)));

    /// <summary>Creates a fine-tune of the tiny model named <paramref name="name"/> and uploads "wide"'s files to it; returns its id.</summary>
    internal static async Task<string> CreateServedAsync(HttpClient client, string account, string name, bool isPublic = false)
    {
        string id = (await CreateAsync(client, account, $$"""{"model":"@ember/tiny-llama","name":"{{name}}","public":{{(isPublic ? "true" : "false")}}}""")).GetProperty("id").GetString()!;
        await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, PeftAdapterConfig.FileName, Wide(PeftAdapterConfig.FileName)));
        await ApiAssert.SuccessAsync(await UploadAsync(client, account, id, LoraAdapter.WeightsFileName, Wide(LoraAdapter.WeightsFileName)));
        return id;
    }

    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string account, string id, string fileName, byte[] bytes, bool fileFirst = false)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var form = new MultipartFormDataContent();
        if (fileFirst)
        {
            form.Add(file, "file", fileName);
            form.Add(new StringContent(fileName), "file_name");
        }
        else
        {
            form.Add(new StringContent(fileName), "file_name");
            form.Add(file, "file", fileName);
        }

        return await client.PostAsync($"{FinetunesPath(account)}/{id}/finetune-assets", form);
    }

    internal static async Task<JsonElement> ListAsync(HttpClient client, string account) =>
        await ApiAssert.SuccessAsync(await client.GetAsync(FinetunesPath(account)));

    internal static Task<HttpResponseMessage> RunAsync(HttpClient client, string account, string? lora) =>
        client.PostAsync($"client/v4/accounts/{account}/ai/run/{Model}", ApiAssert.Json(lora is null ? $"{{{Prompt}}}" : $"{{{Prompt},\"lora\":\"{lora}\"}}"));

    internal static async Task<string> TextAsync(HttpClient client, string account, string? lora) =>
        (await ApiAssert.SuccessAsync(await RunAsync(client, account, lora))).GetProperty("response").GetString()!;

    private static async Task<string> ChatAsync(HttpClient client, string account, string model)
    {
        using HttpResponseMessage response = await client.PostAsync($"client/v4/accounts/{account}/ai/v1/chat/completions", ApiAssert.Json($$"""{"model":"{{model}}","messages":[{"role":"user","content":"Tell me about the sea"}],"max_tokens":12,"temperature":0}"""));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using JsonDocument document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    private static async Task<string[]> ModelIdsAsync(HttpClient client, string account)
    {
        using HttpResponseMessage response = await client.GetAsync($"client/v4/accounts/{account}/ai/v1/models");
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. document.RootElement.GetProperty("data").EnumerateArray().Select(model => model.GetProperty("id").GetString()!).Where(id => id.StartsWith(Model, StringComparison.Ordinal))];
    }

    /// <summary>A random adapter of rank <paramref name="rank"/> on q/k/v/o (seed 11: rank 8 is "wide"), one of its files.</summary>
    private static byte[] Adapter(int rank, string fileName)
    {
        string folder = Path.Combine(Path.GetTempPath(), "ember-finetune-adapter-" + Guid.NewGuid().ToString("N"));
        try
        {
            RandomLoraAdapter.Write(folder, LoraTargetShape.From(LlamaShape.Tiny), rank, Enum.GetValues<LoraProjection>(), seed: 11);
            return File.ReadAllBytes(Path.Combine(folder, fileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] Config(PeftAdapterConfig config) => Encoding.UTF8.GetBytes(config.ToJson());

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex UuidPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex StampPattern();
}
