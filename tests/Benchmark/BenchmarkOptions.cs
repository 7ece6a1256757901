using System.Globalization;

namespace Ember.Benchmark;

/// <summary>The command line of the benchmark, parsed once; defaults keep a run under about five minutes on two cores.</summary>
internal sealed class BenchmarkOptions
{
    public string Preset { get; private set; } = "small";

    public string Variant { get; private set; } = "int8";

    /// <summary>Profile mode: where a decode step's time goes, by operator type, at 1 and 16 rows (ONNX Runtime's profiler).</summary>
    public bool Profile { get; private set; }

    /// <summary>The quantization block of the written model (int8, int4); null: the preset's default.</summary>
    public int? Block { get; private set; }

    /// <summary>A folder with tokenizer.json and tokenizer_config.json the model is written around; null: Ember's own vocabulary.</summary>
    public string? Tokenizer { get; private set; }

    public IReadOnlyList<int> Concurrency { get; private set; } = [1, 4, 16];

    /// <summary>Whether <c>--concurrency</c> was given (modes with levels of their own keep theirs otherwise).</summary>
    public bool ConcurrencyGiven { get; private set; }

    public int MaxTokens { get; private set; } = 64;

    /// <summary>Requests measured per concurrency level and mode.</summary>
    public int RequestsPerLevel { get; private set; } = 16;

    /// <summary>Sequence cap of the engine and the host, the same at every level; null means "the highest level".</summary>
    public int? Cap { get; private set; }

    /// <summary>Prompt sizes in tokens (template included), round-robin; empty: the fixed mixed prompts.</summary>
    public IReadOnlyList<int> PromptTokens { get; private set; } = [];

    public int PrefillChunk { get; private set; } = Ember.Runtime.Options.ModelOptions.DefaultPrefillChunkTokens;

    /// <summary>Soak mode: this many requests through the engine at the highest level, RSS after 200 and after all.</summary>
    public int? SoakRequests { get; private set; }

    /// <summary>Sustained-load mode: seconds to keep the highest level's streams busy; null: the usual levels.</summary>
    public int? SustainSeconds { get; private set; }

    /// <summary>Mask-cost mode: the structured-output mask's cost per row and step on vocabularies of real sizes.</summary>
    public bool MaskCost { get; private set; }

    /// <summary>HTTP levels measured a second time with a batch job of this many items running on the host; null: not.</summary>
    public int? WithBatch { get; private set; }

    /// <summary>Chat mode: turns per conversation; null: the usual levels.</summary>
    public int? ChatTurns { get; private set; }

    public bool ChatInTurn { get; private set; }

    /// <summary>Sustained-load mode: one request in this many is abandoned mid-stream (0: none).</summary>
    public int AbandonEvery { get; private set; } = 10;

    /// <summary>GPU check mode: compare the decoder on <see cref="Provider"/> with the CPU, then a tok/s table.</summary>
    public bool GpuCheck { get; private set; }

    /// <summary>Speculation mode: the levels with <c>SpeculativeTokens</c> 0 and this (<see cref="SpeculationMode"/>); null when off.</summary>
    public int? Speculate { get; private set; }

    /// <summary>KV drift mode: the int8 KV cache's effect on the log-probabilities against the float cache (<see cref="Benchmark.KvDrift"/>).</summary>
    public bool KvDrift { get; private set; }

    /// <summary>LoRA mode: this many random adapters served, the workload run with none, one and all of them; null: not.</summary>
    public int? LoraAdapters { get; private set; }

    /// <summary>LoRA mode: the adapters' rank (Workers AI takes adapters of rank 8 or less).</summary>
    public int LoraRank { get; private set; } = 8;

    /// <summary>LoRA mode: how many times each workload is measured, in turn with the others; the figures are over all rounds.</summary>
    public int Rounds { get; private set; } = 1;

    /// <summary>The execution provider of the GPU check (Cpu, Cuda, Dml).</summary>
    public string Provider { get; private set; } = "Cuda";

    public int DeviceId { get; private set; }


    public string? JsonPath { get; private set; }

    /// <summary>Write the model in the model builder's form (<c>--builder-form</c>): no <c>query_seqlens</c>, no LoRA inputs.</summary>
    public bool BuilderForm { get; private set; }

    /// <summary>Model options (<c>Ember:Models:{id}:Key</c>) given to the engine and the host, for A/B runs.</summary>
    public IReadOnlyDictionary<string, string> ModelSettings => _modelSettings;

    /// <summary>The KV cache the model is written with: <c>--set KvCacheType=Int8</c> also writes an int8-cache graph (in a folder of its own).</summary>
    public Ember.Models.Catalog.KvCacheType KvCache =>
        _modelSettings.TryGetValue(nameof(Ember.Runtime.Options.ModelOptions.KvCacheType), out var kvCache)
            ? Enum.Parse<Ember.Models.Catalog.KvCacheType>(kvCache, ignoreCase: true)
            : Ember.Models.Catalog.KvCacheType.Model;

    private readonly Dictionary<string, string> _modelSettings = new(StringComparer.Ordinal);

    public string? ModelsRoot { get; private set; }

    /// <summary>Run the "Ember over HTTP" column against the host started as a child process.</summary>
    public bool Http { get; private set; } = true;

    public string? HostDll { get; private set; }

    public bool SkipOneAtATime { get; private set; }

    public bool ShowHelp { get; private set; }

    public const string Usage = """
        Ember benchmark: dotnet run -c Release --project tests/Benchmark -- [options]
          --preset NAME              model shape to write and serve: tiny, small, tinyllama-1.1b, llama-2-7b, mistral-7b
                                     (default small)
          --profile                  instead of the levels: the decoder alone under ONNX Runtime's profiler, the time
                                     of a decode step by operator type (MatMulNBits and the rest) at 1 and 16 rows
          --block N                  quantization block of the written int8/int4 model: 16, 32, 64, 128, 256
                                     (default: 32 for tiny and small, 128 for the real shapes)
          --tokenizer DIR            write the model around the tokenizer in DIR (tokenizer.json, tokenizer_config.json),
                                     such as scripts/real-tokenizers/fetch.sh's llama-2 (default: Ember's own vocabulary)
          --variant fp32|fp16|int8|int4  (default int8)
          --models <dir>             where the model is written (default <temp>/ember-bench/<preset>; an int8 KV
                                     cache's model goes to <dir>-kv8)
          --concurrency 1,4,16       concurrency levels (default 1,4,16)
          --max-tokens N             generated tokens per request (default 64)
          --per-level N              requests per level and mode (default 16)
          --cap N                    sequence cap of the engine and the host, fixed for every level (default: the highest level)
          --prompt-tokens 17,65,...  prompts of exactly these token counts (template included), round-robin
                                     (default: eight fixed prompts of mixed lengths)
          --prefill-chunk N          prompt tokens prefilled between decode steps (default 64)
          --no-http                  skip Ember over HTTP (the child host process)
          --host-dll <path>          Ember.Host.dll to start (default src/Host/bin/Release/net10.0/Ember.Host.dll)
          --no-baseline              skip the one-at-a-time OnnxRuntimeGenAIChatClient column
          --requests N               soak mode: N engine requests, RSS after 200 and after N
          --sustain SECONDS          sustained-load mode instead of the levels: the highest level's streams kept busy
                                     for SECONDS over HTTP (the engine with --no-http), prompts of ~4-160 tokens,
                                     max_tokens 16-215; reports TTFT p50/p99/p99.9/max, ITL p99 and RSS each minute
          --with-batch N             http: each level measured again with a batch job of N items submitted just before
                                     (row http+batch), and the batch items run during it
          --mask-cost                instead of the levels: the structured-output token mask's cost per row and step on
                                     synthetic vocabularies of 1k-128k tokens, and with --tokenizer DIR on DIR's, one core;
                                     rows "tools" walk the tool-call grammar (two tools) instead
          --chat TURNS               chat scenario instead of the levels: the highest level's conversations, each
                                     resending its history plus a new user line for TURNS turns, over HTTP, with
                                     prefix caching on then off, and a ~1,000-token-history turn cold against cached
          --chat-in-turn             chat: the conversations take turns one request at a time (round after round)
                                     instead of all at once: what a few users of a self-hosted server do
          --abandon-every N          sustained mode: one request in N is abandoned mid-stream (default 10, 0: none)
          --speculate K              instead of the levels: the engine at each --concurrency level with n-gram
                                     speculation off and with SpeculativeTokens K, tok/s and tokens drafted and kept,
                                     then the 8 fixed prompts' greedy texts alone, on against off
          --kv-drift                 instead of the levels: the int8 KV cache against the float cache on the same
                                     weights (--preset, --variant, --tokenizer): greedy runs of the fixed prompts on the
                                     float cache, each token's log-probability under both, and free-running greedy agreement
          --lora N                   instead of the levels: write N random PEFT adapters (fixed seeds, q/k/v/o) for the
                                     model (tiny or small: written with LoRA inputs; any preset with --builder-form)
                                     and run the workload through the engine with no adapter served, with the N served
                                     and unused, every request on one adapter, and requests round-robin over the N,
                                     under both batching rules (LoraBatching PerRow and Groups; --set LoraBatching=X
                                     runs X only), at --concurrency (default 1,16); ratios mixed÷one, one÷none, unused÷none
          --builder-form             write the model in the model builder's form (no query_seqlens, no LoRA inputs;
                                     a folder of its own): what a builder export runs like; with --lora, Ember adds
                                     the LoRA inputs when it loads
          --lora-rank R              LoRA mode: the adapters' rank (default 8, Workers AI's limit)
          --rounds N                 LoRA mode: measure every workload N times, in turn (default 1)
          --gpu-check                instead of the levels: the decoder on --provider against the CPU on the fp16
                                     model, continuous against alone there, and tok/s at each --concurrency level
          --provider cuda|cpu|dml    GPU check provider (default cuda; cpu checks the CPU against itself)
          --device N                 GPU check device index (default 0)
          --set Key=Value            a model option for the engine and the host (repeatable), such as IntraOpThreads=1;
                                     KvCacheType=Int8 also writes the model with an int8 KV cache (folder suffix -kv8)
          --json <file>              also write the figures as JSON
        """;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--preset": options.Preset = Next(); break;
                case "--variant": options.Variant = Next().ToLowerInvariant(); break;
                case "--tokenizer": options.Tokenizer = Path.GetFullPath(Next()); break;
                case "--block": options.Block = Positive(Next()); break;
                case "--profile": options.Profile = true; break;
                case "--models": options.ModelsRoot = Next(); break;
                case "--concurrency":
                    options.Concurrency = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Positive)];
                    options.ConcurrencyGiven = true;
                    break;
                case "--max-tokens": options.MaxTokens = Positive(Next()); break;
                case "--per-level": options.RequestsPerLevel = Positive(Next()); break;
                case "--cap": options.Cap = Positive(Next()); break;
                case "--prompt-tokens":
                    options.PromptTokens = [.. Next().Split(',').Select(Positive)];
                    break;
                case "--prefill-chunk": options.PrefillChunk = Positive(Next()); break;
                case "--requests": options.SoakRequests = Positive(Next()); break;
                case "--sustain": options.SustainSeconds = Positive(Next()); break;
                case "--chat": options.ChatTurns = Positive(Next()); break;
                case "--chat-in-turn": options.ChatInTurn = true; break;
                case "--mask-cost": options.MaskCost = true; break;
                case "--with-batch": options.WithBatch = Positive(Next()); break;
                case "--abandon-every":
                    options.AbandonEvery = Next() is "0" ? 0 : Positive(args[i]);
                    break;
                case "--lora": options.LoraAdapters = Positive(Next()); break;
                case "--builder-form": options.BuilderForm = true; break;
                case "--lora-rank": options.LoraRank = Positive(Next()); break;
                case "--rounds": options.Rounds = Positive(Next()); break;
                case "--gpu-check": options.GpuCheck = true; break;
                case "--kv-drift": options.KvDrift = true; break;
                case "--speculate": options.Speculate = Positive(Next()); break;
                case "--provider": options.Provider = Next(); break;
                case "--device": options.DeviceId = int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture); break;
                case "--json": options.JsonPath = Next(); break;
                case "--set":
                    var setting = Next().Split('=', 2);
                    options._modelSettings[setting[0]] = setting.Length == 2 ? setting[1] : throw new ArgumentException("--set needs Key=Value.");
                    break;
                case "--no-http": options.Http = false; break;
                case "--host-dll": options.HostDll = Next(); options.Http = true; break;
                case "--no-baseline": options.SkipOneAtATime = true; break;
                case "-h" or "--help": options.ShowHelp = true; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return options;
    }

    private static int Positive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"'{text}' is not a positive whole number.");
}
