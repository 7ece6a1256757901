using System.Globalization;
using System.Text.Json;
using Ember.Benchmark;
using Ember.Models.Catalog;
using Ember.Models.Writing;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + BenchmarkOptions.Usage).ConfigureAwait(false);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;

if (options.MaskCost)
{
    return MaskCost.Run(options.Tokenizer);
}

if (options.GpuCheck)
{
    return await GpuCheck.RunAsync(options, ct).ConfigureAwait(false);
}

var tokenizer = options.Tokenizer is { } tokenizerFolder ? ModelTokenizer.FromFolder(tokenizerFolder) : ModelTokenizer.Own;
var shape = LlamaShape.FromPreset(options.Preset, tokenizer);
var variant = Enum.Parse<ModelVariant>(options.Variant, ignoreCase: true);
var variantFolderName = LlamaModelWriter.FolderName(variant);
var tokenizerName = options.Tokenizer is { } named ? Path.GetFileName(Path.TrimEndingDirectorySeparator(named)) : "ember";
var floatCacheRoot = Path.GetFullPath(options.ModelsRoot ?? Path.Combine(Path.GetTempPath(), "ember-bench", options.Preset.ToLowerInvariant() + "-" + tokenizerName + (options.Block is { } block ? $"-b{block}" : string.Empty)));

// The int8-cache graph goes beside the float one, so that runs of both keep their folders.
var modelsRoot = (options.KvCache == KvCacheType.Int8 ? floatCacheRoot + "-kv8" : floatCacheRoot) + (options.BuilderForm ? "-builder" : string.Empty);
var modelFolder = Path.Combine(modelsRoot, variantFolderName);
var writerOptions = new LlamaWriterOptions { Tokenizer = tokenizer, QuantizationBlock = options.Block, KvCache = options.KvCache, QuerySeqlens = !options.BuilderForm, Lora = options.BuilderForm ? false : null };
if (options.KvDrift)
{
    return await KvDrift.RunAsync(options.Preset, shape, variant, writerOptions, Path.Combine(floatCacheRoot, variantFolderName), Path.Combine(floatCacheRoot + "-kv8", variantFolderName), ct).ConfigureAwait(false);
}

var writeSeconds = await BenchmarkModel.EnsureAsync(modelFolder, options.Preset, shape, variant, writerOptions, ct).ConfigureAwait(false);

if (options.Profile)
{
    return StepProfile.Run(modelFolder);
}

var levels = options.Concurrency.Distinct().Order().ToArray();
var cap = options.Cap ?? levels.Max();
if (options.PromptTokens.Count > 0)
{
    BenchmarkPrompts.UseSizes(options.PromptTokens, modelFolder);
}

if (options.ChatTurns is { } chatTurns)
{
    return await ChatMode.RunAsync(options, modelsRoot, variantFolderName, levels.Max(), chatTurns, ct).ConfigureAwait(false);
}

if (options.Speculate is { } speculate)
{
    return await SpeculationMode.RunAsync(options, modelsRoot, variantFolderName, levels, cap, speculate, ct).ConfigureAwait(false);
}

if (options.SustainSeconds is { } sustainSeconds)
{
    return await SustainedMode.RunAsync(options, modelsRoot, variantFolderName, levels.Max(), TimeSpan.FromSeconds(sustainSeconds), ct).ConfigureAwait(false);
}

if (options.LoraAdapters is not null)
{
    return await LoraMode.RunAsync(options, modelsRoot, variantFolderName, options.ConcurrencyGiven ? levels : [1, 16], ct).ConfigureAwait(false);
}

var perLevel = options.RequestsPerLevel;
(double Seconds, long? IdleRss)? hostLoad = null;
var results = new List<LevelResult>();
var notes = new Dictionary<string, string>();

async Task MeasureAsync(IStreamingTarget target, int concurrency)
{
    // Warm-up: a short request per slot, so first-touch costs (allocations, JIT, kernels) are not measured.
    await LoadDriver.RunAsync(target, concurrency, concurrency, Math.Min(8, options.MaxTokens), $"{target.Mode} c={concurrency} warm-up", ct).ConfigureAwait(false);
    MemoryProbe.ResetPeak();
    var split = (target as EngineTarget)?.Statistics?.Split();
    var idle = new CpuIdleProbe();
    var (samples, wall) = await LoadDriver.RunAsync(target, concurrency, perLevel, options.MaxTokens, $"{target.Mode} c={concurrency}", ct).ConfigureAwait(false);
    var result = LevelResult.From(target.Mode, concurrency, samples, wall, target.PeakRssBytes()) with
    {
        CpuIdlePercent = idle.IdlePercent(),
        Split = split is null ? null : (target as EngineTarget)?.Statistics?.Split().Since(split),
    };
    if (result.FirstError is { } error)
    {
        Console.Error.WriteLine($"  {target.Mode} c={concurrency}: {result.Errors} errors, first: {error}");
    }

    results.Add(result);
}

if (!options.SkipOneAtATime)
{
    await using var baseline = new OneAtATimeTarget(modelFolder);
    foreach (var level in levels)
    {
        await MeasureAsync(baseline, level).ConfigureAwait(false);
    }
}

foreach (var level in levels)
{
    await using var engine = await EngineTarget.StartAsync(modelsRoot, variantFolderName, cap, Math.Max(256, perLevel), options.PrefillChunk, ct, settings: options.ModelSettings).ConfigureAwait(false);
    await MeasureAsync(engine, level).ConfigureAwait(false);
    if (engine.Statistics is { } statistics)
    {
        var sizes = string.Join(' ', statistics.BatchSizes.Select(p => $"{p.Key}x{p.Value}"));
        notes[$"engine c={level} batches"] = $"{statistics.Batches}, largest batch {statistics.LargestBatch}, batch sizes (size x batches) {sizes}; prefill chunks {statistics.Prefills}, largest {statistics.LargestPrefill} tokens";
    }
}

if (options.Http)
{
    if (HttpHostTarget.FindHostDll(options.HostDll) is { } hostDll)
    {
        foreach (var level in levels)
        {
            try
            {
                await using var http = await HttpHostTarget.StartAsync(hostDll, modelsRoot, variantFolderName, cap, Math.Max(256, perLevel), options.PrefillChunk, ct, options.ModelSettings).ConfigureAwait(false);
                hostLoad ??= (http.ReadySeconds, http.RssBytes());
                await MeasureAsync(http, level).ConfigureAwait(false);
                if (options.WithBatch is { } batchItems)
                {
                    // The same level again while a batch runs: batch items wait behind interactive ones in the queue.
                    http.Mode = "http+batch";
                    await http.SubmitBatchAsync(batchItems, options.MaxTokens, ct).ConfigureAwait(false);
                    var before = await http.BatchItemsRunAsync(ct).ConfigureAwait(false);
                    await MeasureAsync(http, level).ConfigureAwait(false);
                    var during = await http.BatchItemsRunAsync(ct).ConfigureAwait(false) - before;
                    notes[$"http+batch c={level}"] = string.Create(CultureInfo.InvariantCulture, $"{during:F0} of {batchItems} batch items ran during the measured requests");
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // The host did not come up; it will not at the next level either.
                notes["http"] = "n/a: the host did not start: " + e.Message.Trim();
                break;
            }
        }
    }
    else
    {
        notes["http"] = "n/a: no built Ember.Host.dll (dotnet build -c Release src/Host, or --host-dll)";
    }
}
else
{
    notes["http"] = "n/a: not measured (--no-http)";
}

SoakResult? soak = null;
if (options.SoakRequests is { } soakRequests)
{
    var concurrency = levels.Max();
    await using var engine = await EngineTarget.StartAsync(modelsRoot, variantFolderName, options.Cap ?? concurrency, Math.Max(256, concurrency), options.PrefillChunk, ct).ConfigureAwait(false);
    MemoryProbe.ResetPeak();
    var first = Math.Min(200, soakRequests);
    var (head, _) = await LoadDriver.RunAsync(engine, concurrency, first, options.MaxTokens, $"soak c={concurrency}", ct).ConfigureAwait(false);
    var after200 = MemoryProbe.RssBytes();
    var tail = Array.Empty<RequestSample>() as IReadOnlyList<RequestSample>;
    if (soakRequests > first)
    {
        (tail, _) = await LoadDriver.RunAsync(engine, concurrency, soakRequests - first, options.MaxTokens, $"soak c={concurrency} (after 200)", ct).ConfigureAwait(false);
    }

    var afterAll = MemoryProbe.RssBytes();
    static double? MiB(long? bytes) => bytes / (1024.0 * 1024.0);
    soak = new SoakResult("engine", concurrency, soakRequests, head.Concat(tail).Count(s => s.Error is not null), MiB(after200), MiB(afterAll), MiB(MemoryProbe.PeakRssBytes()));
}

notes["cap"] = string.Create(CultureInfo.InvariantCulture, $"sequence cap {cap} at every level (engine and http); prompts: {(BenchmarkPrompts.Sizes.Count > 0 ? string.Join('/', BenchmarkPrompts.Sizes) + " tokens" : "eight fixed prompts of mixed lengths")}");
var report = new BenchmarkReport(
    options.Preset,
    variantFolderName,
    options.MaxTokens,
    perLevel,
    Environment.ProcessorCount,
    [.. results.OrderBy(r => r.Concurrency)],
    RatioRow.From(results, levels),
    notes,
    soak);
Console.WriteLine();
Console.WriteLine(ModelFacts.Render(options.Preset, variantFolderName, tokenizer, shape, modelFolder, writeSeconds, hostLoad));
Console.WriteLine(ResultTable.Render(report, options.WithBatch is null ? ["one-at-a-time", "engine", "http"] : ["one-at-a-time", "engine", "http", "http+batch"]));
if (options.JsonPath is { } jsonPath)
{
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, BenchmarkJsonContext.Default.BenchmarkReport), ct).ConfigureAwait(false);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Figures written to {Path.GetFullPath(jsonPath)}"));
}

return results.Any(r => r.Errors > 0) ? 1 : 0;
