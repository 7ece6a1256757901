using System.Net.Http.Headers;
using Ember.Host.Finetunes;
using Ember.Models.Lora;
using Ember.Models.Writing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A real host for the finetunes API in a folder the caller owns, so a test can stop it and start another on the same
/// state: <c>@ember/tiny-llama</c> (fp32, continuous) serving the random adapter "wide" declared in runtime.json with
/// adapters of at most 64 KiB, and <c>@cf/meta/llama-2-7b-chat-int8</c> (Ember's tiny model, int4) on the wave scheduler,
/// which takes no adapters, and <c>@hf/codellama/codellama-7b-hf</c>: Ember's tiny model (int4) written in the model
/// builder's form, without LoRA inputs, with <c>Lora:Enabled</c>, so that Ember adds them when it loads. Two bearer tokens, so a fine-tune's owner can be told from another caller.
/// </summary>
public sealed class FinetuneHost : IAsyncDisposable
{
    /// <summary>The second token the host accepts.</summary>
    public const string OtherToken = "other-token-3e8b";

    /// <summary>The model served on the wave scheduler.</summary>
    public const string WavesModel = "@cf/meta/llama-2-7b-chat-int8";

    /// <summary>The model builder export (in form: Ember's tiny model, int4, no LoRA inputs in the file) that takes adapters.</summary>
    public const string BuilderModel = "@hf/codellama/codellama-7b-hf";

    /// <summary>The largest adapter_model.safetensors the host takes (Lora:MaxBytes): "wide" is about 30 KB.</summary>
    public const int MaxBytes = 65536;

    /// <summary>The configuration.</summary>
    public const string ConfigJson = """
        {
          "Ember": {
            "Models": {
              "@ember/tiny-llama": {
                "Folder": "tiny-llama/fp32", "Variant": "Fp32", "Generate": "tiny", "SequenceCap": 4,
                "Lora": { "Adapters": { "wide": "adapters/wide" }, "MaxBytes": 65536 }
              },
              "@cf/meta/llama-2-7b-chat-int8": { "Folder": "llama-2/int4", "Variant": "Int4", "Generate": "tiny", "SequenceCap": 2, "Scheduler": "Waves" },
              "@hf/codellama/codellama-7b-hf": { "Folder": "builder/int4", "Variant": "Int4", "SequenceCap": 2, "Lora": { "Enabled": true, "MaxBytes": 65536 } }
            }
          }
        }
        """;

    private readonly WebApplication _app;

    private FinetuneHost(WebApplication app, Uri baseAddress, ListLogger<FinetuneStore> log)
    {
        _app = app;
        BaseAddress = baseAddress;
        Log = log;
    }

    /// <summary>Gets the address the host listens on.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets what the fine-tunes store logged.</summary>
    public ListLogger<FinetuneStore> Log { get; }

    /// <summary>Gets the host's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The folder of the fine-tunes of a host in <paramref name="folder"/>.</summary>
    public static string FinetunesFolder(string folder) => Path.Combine(folder, "batch", FinetuneStore.FolderName);

    /// <summary>Writes the adapter "wide" (rank 8 on q/k/v/o, seed 11) into <paramref name="folder"/>, as runtime.json declares it and a test uploads it.</summary>
    public static void WriteWide(string folder) =>
        RandomLoraAdapter.Write(folder, LoraTargetShape.From(LlamaShape.Tiny), 8, Enum.GetValues<LoraProjection>(), seed: 11);

    /// <summary>Starts a host in <paramref name="folder"/> (its models and "wide" written on first use).</summary>
    public static async Task<FinetuneHost> StartAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        string wide = Path.Combine(folder, "adapters", "wide");
        if (!Directory.Exists(wide))
        {
            WriteWide(wide);
        }

        string export = Path.Combine(folder, "builder", "int4");
        if (!Directory.Exists(export))
        {
            await LlamaModelWriter.WriteAsync(export, LlamaShape.Tiny, Ember.Models.Catalog.ModelVariant.Int4, new LlamaWriterOptions { Lora = false, QuerySeqlens = false }, CancellationToken.None);
        }

        string config = Path.Combine(folder, "runtime.json");
        await File.WriteAllTextAsync(config, ConfigJson);
        WebApplicationBuilder builder = EmberHost.CreateBuilder(
            ["--config", config, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning", "--Auth:Tokens:0", HostFixture.Token, "--Auth:Tokens:1", OtherToken]);
        TestRuntime.Use(builder);
        var log = new ListLogger<FinetuneStore>();
        builder.Services.AddSingleton<ILogger<FinetuneStore>>(log);
        WebApplication app = EmberHost.Build(builder);
        IReadOnlyList<string> addresses = await EmberHost.StartAsync(app, CancellationToken.None);
        return new FinetuneHost(app, new Uri(addresses[0] + "/"), log);
    }

    /// <summary>A client sending <paramref name="token"/> (none when <see langword="null"/>).</summary>
    public HttpClient CreateClient(string? token = HostFixture.Token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
