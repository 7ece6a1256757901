using System.Globalization;
using System.Text.Json;
using Ember.Host.Batch;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Models.Lora;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.Extensions.Options;

namespace Ember.Host.Finetunes;

/// <summary>
/// The fine-tunes of every account: each a folder under <c>Batch:Folder/finetunes</c> holding <c>finetune.json</c> and,
/// once uploaded, the two PEFT files. Every file is written to a temporary file in the same folder and renamed into place,
/// so a file is whole or absent. A fine-tune whose two files are stored and pass the checks against its model is added
/// to the running model (<see cref="IAdapterRegistry"/>) and served by its id.
/// </summary>
/// <remarks>
/// At start (after the models load, before the host listens) every fine-tune with both files is served again, and every
/// folder that lacks one (half uploaded, or cut short by a crash) is deleted and logged. Thread-safe: changes run one at
/// a time under an async gate; readers take a lock over the in-memory table. The store owns its folder.
/// </remarks>
public sealed class FinetuneStore : IHostedService, IDisposable
{
    /// <summary>The folder under <c>Batch:Folder</c> that holds the fine-tunes.</summary>
    public const string FolderName = "finetunes";

    /// <summary>The file each fine-tune's folder describes it in.</summary>
    public const string RecordFileName = "finetune.json";

    private const string TemporaryExtension = ".tmp";

    private readonly IModelInventory _inventory;
    private readonly IAdapterRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<FinetuneStore> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FinetuneEntry> _entries = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    /// <summary>Creates the store; nothing is read until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The batch options: the fine-tunes live under <see cref="BatchOptions.Folder"/>.</param>
    /// <param name="inventory">Resolves each fine-tune's model.</param>
    /// <param name="registry">Adds a fine-tune's adapter to its running model.</param>
    /// <param name="time">The clock of <c>created_at</c> and <c>modified_at</c>.</param>
    /// <param name="logger">Logs what start-up kept, served and deleted, and each fine-tune served.</param>
    public FinetuneStore(IOptions<BatchOptions> options, IModelInventory inventory, IAdapterRegistry registry, TimeProvider time, ILogger<FinetuneStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        Root = Path.Combine(options.Value.Folder, FolderName);
        _inventory = inventory;
        _registry = registry;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gets the folder holding one folder per fine-tune.</summary>
    public string Root { get; }

    /// <summary>
    /// Creates the folder if need be, deletes what a crash or an unfinished upload left (temporary files, fine-tunes
    /// lacking a file), and serves every fine-tune whose two files are stored and still fit its model.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder cannot be created or read; the message names it.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var loaded = new List<FinetuneEntry>();
        try
        {
            Directory.CreateDirectory(Root);
            foreach (string folder in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
            {
                if (Load(folder) is { } entry)
                {
                    loaded.Add(entry);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{BatchOptions.SectionName}:Folder: the fine-tunes folder {Root} cannot be created or read: {e.Message}", e);
        }

        lock (_lock)
        {
            foreach (FinetuneEntry entry in loaded)
            {
                _entries[entry.Finetune.Id] = entry;
            }
        }

        var served = 0;
        foreach (IGrouping<string, FinetuneEntry> model in Oldest(loaded).GroupBy(entry => entry.Finetune.Model, StringComparer.Ordinal))
        {
            served += await ServeAgainAsync(model.Key, [.. model], cancellationToken).ConfigureAwait(false);
        }

        HostLog.FinetunesLoaded(_logger, Root, served, loaded.Count - served);
    }

    /// <inheritdoc/>
    /// <remarks>Stops waiting for a model to take an adapter; a stop after <see cref="Dispose"/> (a host stopped twice) does nothing.</remarks>
    public Task StopAsync(CancellationToken cancellationToken) => _disposed ? Task.CompletedTask : _stopping.CancelAsync();

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _gate.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Creates a fine-tune of <paramref name="model"/> for <paramref name="caller"/>, with no file yet.</summary>
    /// <returns>The fine-tune, or the refusal (5006): a model that takes no adapters, a name taken or not valid, a limit reached.</returns>
    public async Task<Parsed<Finetune>> CreateAsync(FinetuneCaller caller, string model, string name, string? description, bool isPublic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(name);
        Parsed<ModelHandle> handle = TakingAdapters(model);
        if (!handle.Succeeded)
        {
            return handle.Error;
        }

        if (!LoraAdapter.IsValidName(name))
        {
            return ErrorMapping.InvalidInput("name", "must be 1 to 64 letters, digits, '-', '_' or '.'");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FinetuneEntry[] all = Snapshot();
            int mine = all.Count(entry => entry.Finetune.AccountId == caller.AccountId && entry.Finetune.Owner == caller.Owner);
            if (mine >= FinetuneLimits.MaxPerAccount)
            {
                return ErrorMapping.InvalidInput("name", string.Create(CultureInfo.InvariantCulture, $"the account has {mine} fine-tunes, the most it may have ({FinetuneLimits.MaxPerAccount})"));
            }

            ModelHandle served = handle.Value;
            if (ConfiguredAdapters(served, all).Contains(name))
            {
                return ErrorMapping.InvalidInput("name", $"'{name}' is an adapter {model} serves already (runtime.json)");
            }

            if (all.Any(entry => caller.Owns(entry.Finetune) && entry.Finetune.Name == name))
            {
                return ErrorMapping.InvalidInput("name", $"the account has a fine-tune named '{name}' already");
            }

            if (isPublic && all.Any(entry => entry.Finetune.Public && entry.Finetune.Model == model && entry.Finetune.Name == name))
            {
                return ErrorMapping.InvalidInput("name", $"a public fine-tune of {model} is named '{name}' already");
            }

            int adapters = ConfiguredAdapters(served, all).Count() + all.Count(entry => entry.Finetune.Model == model);
            int most = served.AdapterTarget!.MaxAdapters;
            if (adapters >= most)
            {
                return ErrorMapping.InvalidInput("model", string.Create(CultureInfo.InvariantCulture, $"{model} serves at most {most} adapters (Lora:MaxAdapters), and {adapters} are served or being uploaded"));
            }

            DateTimeOffset now = Now();
            var finetune = new Finetune(BatchIds.NewRequestId(), name, description, model, isPublic, caller.AccountId, caller.Owner, now, now);
            string folder = FolderOf(finetune.Id);
            Directory.CreateDirectory(folder);
            WriteRecord(finetune);
            lock (_lock)
            {
                _entries[finetune.Id] = new FinetuneEntry(finetune, HasConfig: false, HasWeights: false, Served: false);
            }

            HostLog.FinetuneCreated(_logger, finetune.Id, name, model);
            return new Parsed<Finetune>(finetune);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The fine-tune of <paramref name="caller"/> with id <paramref name="id"/>, or <see langword="null"/> (another's, or none).</summary>
    public FinetuneEntry? Find(FinetuneCaller caller, string id)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(id, out FinetuneEntry? entry) && caller.Owns(entry.Finetune) ? entry : null;
        }
    }

    /// <summary>A new temporary file in the folder of fine-tune <paramref name="id"/>, for an upload to be written to before <see cref="AcceptAsync"/>.</summary>
    public string NewUploadPath(string id) => Path.Combine(FolderOf(id), "upload-" + Guid.NewGuid().ToString("N") + TemporaryExtension);

    /// <summary>
    /// Checks the uploaded file <paramref name="upload"/> as the fine-tune's <paramref name="fileName"/> and, if it
    /// passes, renames it into place; once both files are stored and pass together, serves the fine-tune. A file
    /// refused leaves nothing behind: the file stored before under that name, if any, stays.
    /// </summary>
    /// <param name="id">The fine-tune, found with <see cref="Find"/>.</param>
    /// <param name="fileName"><see cref="PeftAdapterConfig.FileName"/> or <see cref="LoraAdapter.WeightsFileName"/>.</param>
    /// <param name="upload">The uploaded bytes, from <see cref="NewUploadPath"/>; deleted or moved by this call.</param>
    /// <param name="cancellationToken">Abandons the wait for another change to finish.</param>
    /// <returns>The stored file's answer, or the refusal.</returns>
    public async Task<Parsed<FinetuneAssetItem>> AcceptAsync(string id, string fileName, string upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(upload);
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await AcceptHeldAsync(id, fileName, upload).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            File.Delete(upload);
        }
    }

    /// <summary>The fine-tunes of <paramref name="caller"/>, oldest first.</summary>
    public IReadOnlyList<Finetune> List(FinetuneCaller caller) =>
        [.. Oldest(Snapshot().Where(entry => caller.Owns(entry.Finetune))).Select(entry => entry.Finetune)];

    /// <summary>Every account's public fine-tunes, oldest first.</summary>
    public IReadOnlyList<Finetune> ListPublic() =>
        [.. Oldest(Snapshot().Where(entry => entry.Finetune.Public)).Select(entry => entry.Finetune)];

    /// <summary>
    /// The adapter of <paramref name="model"/> that <paramref name="lora"/> names for <paramref name="caller"/>: an
    /// adapter of runtime.json by its name, else one of the caller's fine-tunes, else a public one, each by its name or
    /// id (served by its id). A model that takes no adapters is left to the runtime, which refuses in its own words.
    /// </summary>
    /// <returns>The runtime's name of the adapter, or 5006 naming <paramref name="lora"/> and what the caller may pick.</returns>
    public Parsed<string> Resolve(FinetuneCaller caller, ModelHandle model, string lora)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lora);
        if (model.AdapterTarget is null)
        {
            return new Parsed<string>(lora);
        }

        FinetuneEntry[] all = Snapshot();
        if (ConfiguredAdapters(model, all).Contains(lora))
        {
            return new Parsed<string>(lora);
        }

        FinetuneEntry? match = all.FirstOrDefault(entry => entry.Finetune.Model == model.Id && caller.Owns(entry.Finetune) && (entry.Finetune.Name == lora || entry.Finetune.Id == lora))
            ?? all.FirstOrDefault(entry => entry.Finetune.Model == model.Id && entry.Finetune.Public && (entry.Finetune.Id == lora || entry.Finetune.Name == lora));
        if (match is { Served: true })
        {
            return new Parsed<string>(match.Finetune.Id);
        }

        if (match is not null)
        {
            return ErrorMapping.InvalidInput("lora", $"the fine-tune '{lora}' of {model.Id} is not served: {(match.HasConfig && match.HasWeights ? "its files no longer fit the model" : "both of its files are not uploaded yet")}");
        }

        List<string> names = Names(caller, model, all);
        string known = names.Count == 0 ? "it serves none" : $"it serves {string.Join(", ", names.Select(name => $"'{name}'"))}";
        return ErrorMapping.InvalidInput("lora", $"no adapter '{lora}' for {model.Id}; {known}.");
    }

    /// <summary>The adapters of <paramref name="model"/> <paramref name="caller"/> may pick by name: those of runtime.json, the caller's fine-tunes served, then the public ones served that no name before hides.</summary>
    public IReadOnlyList<string> Names(FinetuneCaller caller, ModelHandle model) => Names(caller, model, Snapshot());

    private static List<string> Names(FinetuneCaller caller, ModelHandle model, FinetuneEntry[] all)
    {
        ArgumentNullException.ThrowIfNull(model);
        var names = ConfiguredAdapters(model, all).ToList();
        IEnumerable<FinetuneEntry> served = Oldest(all.Where(entry => entry.Served && entry.Finetune.Model == model.Id));
        foreach (FinetuneEntry entry in served.Where(entry => caller.Owns(entry.Finetune)).Concat(served.Where(entry => entry.Finetune.Public)))
        {
            if (!names.Contains(entry.Finetune.Name))
            {
                names.Add(entry.Finetune.Name);
            }
        }

        return names;
    }

    /// <summary>The adapters <paramref name="model"/> serves from runtime.json: those it serves that are no fine-tune's id.</summary>
    private static IEnumerable<string> ConfiguredAdapters(ModelHandle model, FinetuneEntry[] all) =>
        model.Adapters.Where(adapter => !all.Any(entry => entry.Finetune.Id == adapter));

    /// <summary><paramref name="entries"/> oldest first (by creation, then id).</summary>
    private static IOrderedEnumerable<FinetuneEntry> Oldest(IEnumerable<FinetuneEntry> entries) =>
        entries.OrderBy(entry => entry.Finetune.CreatedAt).ThenBy(entry => entry.Finetune.Id, StringComparer.Ordinal);

    private async Task<Parsed<FinetuneAssetItem>> AcceptHeldAsync(string id, string fileName, string upload)
    {
        FinetuneEntry entry;
        lock (_lock)
        {
            entry = _entries[id];
        }

        Finetune finetune = entry.Finetune;
        if (entry.Served)
        {
            return FinetuneEndpoints.ServedAlready();
        }

        Parsed<ModelHandle> model = TakingAdapters(finetune.Model);
        if (!model.Succeeded)
        {
            return model.Error;
        }

        AdapterTarget target = model.Value.AdapterTarget!;
        string folder = FolderOf(id);
        LoraAdapter? adapter;
        try
        {
            adapter = fileName == PeftAdapterConfig.FileName
                ? CheckConfig(finetune, upload, entry.HasWeights ? Path.Combine(folder, LoraAdapter.WeightsFileName) : null, target)
                : CheckWeights(finetune, upload, entry.HasConfig ? Path.Combine(folder, PeftAdapterConfig.FileName) : null, target);
        }
        catch (LoraAdapterException e)
        {
            HostLog.FinetuneFileRefused(_logger, id, fileName, e.Message);
            return ErrorMapping.InvalidInput("file", e.Message);
        }

        File.Move(upload, Path.Combine(folder, fileName), overwrite: true);
        DateTimeOffset now = Now();
        finetune = finetune with { ModifiedAt = now };
        WriteRecord(finetune);
        entry = new FinetuneEntry(finetune, entry.HasConfig || fileName == PeftAdapterConfig.FileName, entry.HasWeights || fileName == LoraAdapter.WeightsFileName, Served: false);
        Replace(entry);
        if (adapter is not null)
        {
            try
            {
                await _registry.AddAsync(model.Value, [adapter], _stopping.Token).ConfigureAwait(false);
            }
            catch (AiTextGenerationException e)
            {
                HostLog.RuntimeFailure(_logger, finetune.Model, e);
                return ErrorMapping.FromRuntime(e);
            }

            Replace(entry with { Served = true });
            HostLog.FinetuneServed(_logger, id, finetune.Name, finetune.Model);
        }

        string stamp = Stamp(now);
        return new Parsed<FinetuneAssetItem>(new FinetuneAssetItem(Guid.NewGuid().ToString("D"), id, fileName, stamp, stamp));
    }

    /// <summary>Checks an uploaded config alone, then with the weights stored before (if any).</summary>
    private static LoraAdapter? CheckConfig(Finetune finetune, string upload, string? weights, AdapterTarget target)
    {
        long length = new FileInfo(upload).Length;
        if (length > FinetuneLimits.MaxConfigBytes)
        {
            throw new LoraAdapterException(string.Create(CultureInfo.InvariantCulture, $"{PeftAdapterConfig.FileName} is {length} bytes, above the limit of {FinetuneLimits.MaxConfigBytes} bytes."));
        }

        PeftAdapterConfig config = PeftAdapterConfig.Parse(File.ReadAllText(upload), PeftAdapterConfig.FileName);
        LoraAdapter.CheckConfig(config, target.Limits);
        return weights is null ? null : LoraAdapter.FromConfig(finetune.Id, config, SafetensorsFile.Read(weights, target.Limits.MaxBytes), target.Shape, target.Limits);
    }

    /// <summary>Checks uploaded weights alone (size, header), then with the config stored before (if any).</summary>
    private static LoraAdapter? CheckWeights(Finetune finetune, string upload, string? config, AdapterTarget target)
    {
        IReadOnlyList<SafetensorsTensor> tensors = SafetensorsFile.Read(upload, target.Limits.MaxBytes, LoraAdapter.WeightsFileName);
        return config is null ? null : LoraAdapter.FromConfig(finetune.Id, PeftAdapterConfig.Parse(File.ReadAllText(config), PeftAdapterConfig.FileName), tensors, target.Shape, target.Limits);
    }

    /// <summary>The served model <paramref name="model"/> names, if it takes adapters; else 5006 naming it and why not.</summary>
    private Parsed<ModelHandle> TakingAdapters(string model) => _inventory.Resolve(model) switch
    {
        null => ErrorMapping.InvalidInput("model", $"no such model '{model}'"),
        { IsInstalled: false } => ErrorMapping.InvalidInput("model", $"{model} is not installed on this server"),
        { AdapterTarget: null } handle => ErrorMapping.InvalidInput("model", $"{model} takes no LoRA adapters: {handle.AdaptersUnavailable}"),
        { } handle => new Parsed<ModelHandle>(handle),
    };

    /// <summary>Reads one fine-tune's folder at start; deletes it (logged) when it is incomplete.</summary>
    private FinetuneEntry? Load(string folder)
    {
        foreach (string temporary in Directory.EnumerateFiles(folder, "*" + TemporaryExtension))
        {
            File.Delete(temporary);
        }

        string id = Path.GetFileName(folder);
        Finetune? finetune = null;
        try
        {
            finetune = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(folder, RecordFileName)), FinetuneJsonContext.Default.Finetune);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            // Created but cut short before its record was written, or a folder that is not a fine-tune's.
        }

        bool hasConfig = File.Exists(Path.Combine(folder, PeftAdapterConfig.FileName));
        bool hasWeights = File.Exists(Path.Combine(folder, LoraAdapter.WeightsFileName));
        if (finetune is null || finetune.Id != id || !hasConfig || !hasWeights)
        {
            string missing = finetune is null || finetune.Id != id ? RecordFileName : hasConfig ? LoraAdapter.WeightsFileName : PeftAdapterConfig.FileName;
            Directory.Delete(folder, recursive: true);
            HostLog.FinetuneHalfUploadedDeleted(_logger, id, finetune?.Name ?? "?", finetune?.Model ?? "?", missing);
            return null;
        }

        return new FinetuneEntry(finetune, hasConfig, hasWeights, Served: false);
    }

    /// <summary>Serves again the complete fine-tunes of one model; returns how many it serves. One that no longer fits is kept, not served, and logged.</summary>
    private async Task<int> ServeAgainAsync(string modelId, IReadOnlyList<FinetuneEntry> entries, CancellationToken cancellationToken)
    {
        Parsed<ModelHandle> model = TakingAdapters(modelId);
        if (!model.Succeeded)
        {
            foreach (FinetuneEntry entry in entries)
            {
                HostLog.FinetuneNotServed(_logger, entry.Finetune.Id, entry.Finetune.Name, modelId, model.Error.Message);
            }

            return 0;
        }

        AdapterTarget target = model.Value.AdapterTarget!;
        var adapters = new List<(FinetuneEntry Entry, LoraAdapter Adapter)>();
        foreach (FinetuneEntry entry in entries)
        {
            try
            {
                adapters.Add((entry, LoraAdapter.Load(FolderOf(entry.Finetune.Id), entry.Finetune.Id, target.Shape, target.Limits)));
            }
            catch (LoraAdapterException e)
            {
                HostLog.FinetuneNotServed(_logger, entry.Finetune.Id, entry.Finetune.Name, modelId, e.Message);
            }
        }

        if (adapters.Count == 0)
        {
            return 0;
        }

        try
        {
            await _registry.AddAsync(model.Value, [.. adapters.Select(pair => pair.Adapter)], cancellationToken).ConfigureAwait(false);
        }
        catch (AiTextGenerationException e)
        {
            foreach (var (entry, _) in adapters)
            {
                HostLog.FinetuneNotServed(_logger, entry.Finetune.Id, entry.Finetune.Name, modelId, e.Message);
            }

            return 0;
        }

        foreach (var (entry, _) in adapters)
        {
            Replace(entry with { Served = true });
        }

        return adapters.Count;
    }

    /// <summary>Writes <c>finetune.json</c> whole: to a temporary file, flushed to disk, then renamed over the old one.</summary>
    private void WriteRecord(Finetune finetune)
    {
        string folder = FolderOf(finetune.Id);
        string temporary = Path.Combine(folder, RecordFileName + "." + Guid.NewGuid().ToString("N") + TemporaryExtension);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(stream, finetune, FinetuneJsonContext.Default.Finetune);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path.Combine(folder, RecordFileName), overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private void Replace(FinetuneEntry entry)
    {
        lock (_lock)
        {
            _entries[entry.Finetune.Id] = entry;
        }
    }

    private FinetuneEntry[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries.Values];
        }
    }

    private string FolderOf(string id) => Path.Combine(Root, id);

    /// <summary>Now, to the millisecond (what <see cref="Stamp"/> writes), so a stored time reads back as it was answered.</summary>
    private DateTimeOffset Now()
    {
        DateTimeOffset now = _time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    /// <summary>A time as the API writes it: ISO 8601, UTC, with milliseconds.</summary>
    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
