using System.Net;
using System.Text.Json;
using Ember.Host.Tests.Infrastructure;

namespace Ember.Host.Tests.Conformance;

/// <summary>
/// The <c>cloudflare</c> client's <c>ai.finetunes</c>, unmodified: <c>create</c>, <c>assets.create</c> for both PEFT files
/// (the calls <c>wrangler ai finetune create</c> makes), <c>list</c>, <c>public.list</c>, then <c>ai.run</c> with the
/// fine-tune's name as <c>lora</c>, which answers as a direct call with it.
/// </summary>
public sealed partial class OfficialClientsTests
{
    [Fact]
    public async Task AiFinetunes_CreateUploadListRun_AsTheRestApi()
    {
        JsonElement finetunes = (await RunAsync()).GetProperty("cloudflare_finetunes");
        JsonElement created = finetunes.GetProperty("created");
        string id = created.GetProperty("id").GetString()!;

        Assert.Equal(("sdk-finetune", Model, "written by conformance.mjs", false), (created.GetProperty("name").GetString(), created.GetProperty("model").GetString(), created.GetProperty("description").GetString(), created.GetProperty("public").GetBoolean()));
        foreach (var (asset, fileName) in new[] { ("config_asset", "adapter_config.json"), ("weights_asset", "adapter_model.safetensors") })
        {
            // The pinned client returns the upload's whole envelope (its type is {success}).
            JsonElement envelope = finetunes.GetProperty(asset);
            Assert.True(envelope.GetProperty("success").GetBoolean());
            Assert.Equal((id, fileName), (envelope.GetProperty("result").GetProperty("finetune_id").GetString(), envelope.GetProperty("result").GetProperty("file_name").GetString()));
        }

        JsonElement listed = Assert.Single(finetunes.GetProperty("list").EnumerateArray().ToArray());
        Assert.Equal(created.GetProperty("created_at").GetString(), listed.GetProperty("created_at").GetString());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.Equal(0, finetunes.GetProperty("public").GetArrayLength());
        using HttpClient client = host.CreateClient();
        using HttpResponseMessage direct = await client.PostAsync(
            $"client/v4/accounts/{OfficialClients.AccountId}/ai/run/{Model}",
            ApiAssert.Json($$"""{"prompt":"{{Prompt}}","max_tokens":{{MaxTokens}},"temperature":0,"lora":"{{id}}"}"""));
        Assert.Equal((await ApiAssert.SuccessAsync(direct)).GetProperty("response").GetString(), finetunes.GetProperty("run").GetProperty("response").GetString());
        JsonElement unknown = finetunes.GetProperty("unknown");
        Assert.Equal((int)HttpStatusCode.BadRequest, unknown.GetProperty("status").GetInt32());
        JsonElement error = Assert.Single(unknown.GetProperty("errors").EnumerateArray().ToArray());
        Assert.Equal((5006, "finetune_id: no fine-tune with this id"), (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task AiFinetunes_Requests_ThePathsTheClientUses()
    {
        const string finetunes = "/client/v4/accounts/" + OfficialClients.AccountId + "/ai/finetunes";
        const string json = "application/json; charset=utf-8";

        // The client first probes its FormData support with a data: URL, through the same fetch: not a request to the host.
        JsonElement[] requests = [.. (await RunAsync()).GetProperty("finetune_requests").EnumerateArray().Where(request => request.GetProperty("path").GetString()!.StartsWith('/'))];

        string assets = requests[1].GetProperty("path").GetString()!;
        Assert.Matches("^" + finetunes + "/[0-9a-f-]{36}/finetune-assets$", assets);
        Assert.Equal(
            [("POST", finetunes, 200, json), ("POST", assets, 200, json), ("POST", assets, 200, json), ("GET", finetunes, 200, json), ("GET", finetunes + "/public", 200, json), ("POST", "/client/v4/accounts/" + OfficialClients.AccountId + "/ai/run/@ember%2Ftiny-llama", 200, json), ("POST", finetunes + "/00000000-0000-4000-8000-000000000000/finetune-assets", 400, json)],
            requests.Select(request => (request.GetProperty("method").GetString()!, request.GetProperty("path").GetString()!, request.GetProperty("status").GetInt32(), request.GetProperty("content_type").GetString()!)));
        Assert.StartsWith("multipart/form-data; boundary=", requests[1].GetProperty("headers").GetProperty("content-type").GetString(), StringComparison.Ordinal);
    }
}
