using System.Diagnostics;
using System.Globalization;
using Ember.Models.Catalog;
using Ember.Models.Writing;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;

namespace Ember.Benchmark;

/// <summary>
/// The benchmark's <c>--gpu-check</c>: on the true fp16 model, Ember's decoder on a provider against the same decoder
/// on the CPU (a prompt prefilled in two chunks, then a 3-row decode at different lengths with a dummy row),
/// continuous batching against each prompt alone on that provider, and a tok/s table. On a machine without a GPU,
/// run with <c>--provider cpu</c> it checks the CPU against itself and must pass too.
/// </summary>
internal static class GpuCheck
{
    /// <summary>Largest difference of one logit between the provider and the CPU that still passes (fp16 kernels differ in rounding).</summary>
    private const float LogitTolerance = 0.25f;

    private static readonly int[][] Prompts = [[1, 762, 769, 447, 551, 602], [1, 761, 323, 829, 798, 755, 757, 263, 260, 812, 904], [1, 751, 888]];

    public static async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var provider = Enum.Parse<ExecutionProvider>(options.Provider, ignoreCase: true);
        var failures = new List<string>();
        var root = Path.GetFullPath(options.ModelsRoot ?? Path.Combine(Path.GetTempPath(), "ember-gpu-check", options.Preset.ToLowerInvariant()));
        var folder = Path.Combine(root, LlamaModelWriter.FolderName(ModelVariant.Fp16));
        if (!File.Exists(Path.Combine(folder, "genai_config.json")))
        {
            Console.Error.WriteLine($"Writing the {options.Preset} fp16 model to {folder} ...");
            await LlamaModelWriter.WriteAsync(folder, LlamaShape.FromPreset(options.Preset), ModelVariant.Fp16, new LlamaWriterOptions(), cancellationToken).ConfigureAwait(false);
        }

        var layout = DecoderLayout.Read(folder);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GPU check: preset {options.Preset}, fp16 (cache {layout.Types.Cache}, logits {layout.Types.Logits}), provider {provider}, {Environment.ProcessorCount} cores"));
        CompareDecoders(layout, new DecoderProvider(provider, options.DeviceId), failures);
        await CompareContinuousWithAloneAsync(root, options, failures, cancellationToken).ConfigureAwait(false);
        await ThroughputAsync(root, options, cancellationToken).ConfigureAwait(false);

        Console.WriteLine();
        foreach (var failure in failures)
        {
            Console.WriteLine("FAIL " + failure);
        }

        Console.WriteLine(failures.Count == 0 ? "GPU check passed." : $"GPU check failed: {failures.Count} check(s).");
        return failures.Count == 0 ? 0 : 1;
    }

    private static void CompareDecoders(DecoderLayout layout, DecoderProvider provider, List<string> failures)
    {
        using var cpu = DecoderSession.Load(layout, 4, 256, 0, spinning: false);
        // ONNX Runtime says at its verbose level where each node was placed ("All nodes placed on [...]" or a list).
        var level = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().EnvLogLevel;
        Microsoft.ML.OnnxRuntime.OrtEnv.Instance().EnvLogLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE;
        DecoderSession device;
        try
        {
            device = DecoderSession.Load(layout, 4, 256, 0, spinning: false, provider, logPlacement: true);
        }
        finally
        {
            Microsoft.ML.OnnxRuntime.OrtEnv.Instance().EnvLogLevel = level;
        }

        using var owned = device;
        Console.WriteLine($"decoder on {device.Provider.Provider}: KV cache {device.CacheBytes >> 10} KiB in {device.CacheWhere}");

        // Prompts 0 and 2 go into slots 0 and 2, prompt 0 in two chunks; slot 1 stays a dummy row in the decode.
        int[] slots = [0, 2];
        var lengths = new int[3];
        var next = new int[3];
        foreach (var (slot, prompt) in slots.Select(s => (s, Prompts[s])))
        {
            var split = prompt.Length / 2;
            var cpuLogits = TwoChunks(cpu, slot, prompt, split);
            var deviceLogits = TwoChunks(device, slot, prompt, split);
            Compare($"prefill of slot {slot} in chunks of {split}+{prompt.Length - split}", cpuLogits, deviceLogits, failures);
            lengths[slot] = prompt.Length;
            next[slot] = ArgMax(cpuLogits);
        }

        for (var step = 0; step < 4; step++)
        {
            var cpuStep = cpu.Decode(3, next, lengths).ToArray();
            var deviceStep = device.Decode(3, next, lengths).ToArray();
            foreach (var slot in slots)
            {
                var row = cpuStep.AsSpan(slot * layout.VocabSize, layout.VocabSize).ToArray();
                Compare($"decode step {step + 1}, row {slot} at length {lengths[slot]}", row, deviceStep.AsSpan(slot * layout.VocabSize, layout.VocabSize).ToArray(), failures);
                next[slot] = ArgMax(row);
                lengths[slot]++;
            }
        }
    }

    private static float[] TwoChunks(DecoderSession session, int slot, int[] prompt, int split)
    {
        session.Prefill(slot, prompt.AsSpan(0, split), 0);
        return session.Prefill(slot, prompt.AsSpan(split), split);
    }

    private static void Compare(string what, float[] cpu, float[] device, List<string> failures)
    {
        var worst = cpu.Zip(device, (a, b) => MathF.Abs(a - b)).Max();
        var same = ArgMax(cpu) == ArgMax(device);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what}: argmax {ArgMax(cpu)} / {ArgMax(device)}, largest logit difference {worst:G3}"));
        if (!same || worst > LogitTolerance || float.IsNaN(worst))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: argmax {ArgMax(cpu)} on the CPU, {ArgMax(device)} on the device; largest difference {worst:G3} (tolerance {LogitTolerance})"));
        }
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static async Task CompareContinuousWithAloneAsync(string root, BenchmarkOptions options, List<string> failures, CancellationToken cancellationToken)
    {
        await using var engine = await EngineTarget.StartAsync(root, "fp16", 8, 256, 16, cancellationToken, options.Provider).ConfigureAwait(false);
        var prompts = Enumerable.Range(0, 8).Select(BenchmarkPrompts.For).ToArray();
        var alone = new List<string>();
        foreach (var prompt in prompts)
        {
            alone.Add(await engine.GreedyTextAsync(prompt, 24, cancellationToken).ConfigureAwait(false));
        }

        var together = await Task.WhenAll(prompts.Select(p => engine.GreedyTextAsync(p, 24, cancellationToken))).ConfigureAwait(false);
        var differing = Enumerable.Range(0, prompts.Length).Count(i => alone[i] != together[i]);
        Console.WriteLine($"continuous batch of {prompts.Length} (cap 8, chunks of 16) against each alone on {options.Provider}: {prompts.Length - differing} of {prompts.Length} the same");
        if (differing > 0)
        {
            failures.Add($"{differing} of {prompts.Length} prompts decoded together differ from the same prompt alone");
        }
    }

    private static async Task ThroughputAsync(string root, BenchmarkOptions options, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"| sequences | requests | agg tok/s | TTFT p50 ms | ITL p50 ms | provider |");
        Console.WriteLine($"|---|---|---|---|---|---|");
        foreach (var level in options.Concurrency)
        {
            await using var engine = await EngineTarget.StartAsync(root, "fp16", level, Math.Max(256, level), options.PrefillChunk, cancellationToken, options.Provider).ConfigureAwait(false);
            await LoadDriver.RunAsync(engine, level, level, 8, $"{options.Provider} c={level} warm-up", cancellationToken).ConfigureAwait(false);
            var requests = Math.Max(level * 2, options.RequestsPerLevel);
            var (samples, wall) = await LoadDriver.RunAsync(engine, level, requests, options.MaxTokens, $"{options.Provider} c={level}", cancellationToken).ConfigureAwait(false);
            var result = LevelResult.From("engine", level, samples, wall, null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {level} | {requests} | {result.AggregateTokensPerSecond:F0} | {result.TimeToFirstTokenP50Ms:F1} | {result.InterTokenP50Ms:F2} | {options.Provider} |"));
        }
    }
}
