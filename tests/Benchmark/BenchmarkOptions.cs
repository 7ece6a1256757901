using System.Globalization;

namespace Ember.Benchmark;

/// <summary>The command line of the benchmark, parsed once; defaults keep a run under about five minutes on two cores.</summary>
internal sealed class BenchmarkOptions
{
    public string Preset { get; private set; } = "small";

    public string Variant { get; private set; } = "int8";

    public IReadOnlyList<int> Concurrency { get; private set; } = [1, 4, 16];

    public int MaxTokens { get; private set; } = 64;

    /// <summary>Requests measured per concurrency level and mode.</summary>
    public int RequestsPerLevel { get; private set; } = 16;

    /// <summary>Sequence cap for the engine; null means "the concurrency level".</summary>
    public int? Cap { get; private set; }

    public int PrefillChunk { get; private set; } = Ember.Runtime.Options.ModelOptions.DefaultPrefillChunkTokens;

    /// <summary>Soak mode: this many requests through the engine at the highest level, RSS after 200 and after all.</summary>
    public int? SoakRequests { get; private set; }

    public string? JsonPath { get; private set; }

    public string? ModelsRoot { get; private set; }

    /// <summary>Run the "Ember over HTTP" column against the host started as a child process.</summary>
    public bool Http { get; private set; } = true;

    public string? HostDll { get; private set; }

    public bool SkipOneAtATime { get; private set; }

    public bool ShowHelp { get; private set; }

    public const string Usage = """
        Ember benchmark: dotnet run -c Release --project tests/Benchmark -- [options]
          --preset tiny|small        model shape to write and serve (default small)
          --variant fp32|fp16|int8|int4  (default int8)
          --models <dir>             where the model is written (default <temp>/ember-bench/<preset>)
          --concurrency 1,4,16       concurrency levels (default 1,4,16)
          --max-tokens N             generated tokens per request (default 64)
          --per-level N              requests per level and mode (default 16)
          --cap N                    engine sequence cap (default: the concurrency level)
          --prefill-chunk N          prompt tokens prefilled between decode steps (default 64)
          --no-http                  skip Ember over HTTP (the child host process)
          --host-dll <path>          Ember.Host.dll to start (default src/Host/bin/Release/net10.0/Ember.Host.dll)
          --no-baseline              skip the one-at-a-time OnnxRuntimeGenAIChatClient column
          --requests N               soak mode: N engine requests, RSS after 200 and after N
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
                case "--models": options.ModelsRoot = Next(); break;
                case "--concurrency":
                    options.Concurrency = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Positive)];
                    break;
                case "--max-tokens": options.MaxTokens = Positive(Next()); break;
                case "--per-level": options.RequestsPerLevel = Positive(Next()); break;
                case "--cap": options.Cap = Positive(Next()); break;
                case "--prefill-chunk": options.PrefillChunk = Positive(Next()); break;
                case "--requests": options.SoakRequests = Positive(Next()); break;
                case "--json": options.JsonPath = Next(); break;
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
