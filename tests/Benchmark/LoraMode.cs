using System.Globalization;
using System.Text;
using Ember.Models.Lora;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;
using static Ember.Benchmark.TableText;

namespace Ember.Benchmark;

/// <summary>
/// Serving several LoRA adapters at once (<c>--lora N</c>): N random PEFT adapters written for the model (fixed
/// seeds), and the same streaming workload through the engine in process with no adapter served, with every request
/// on one adapter of the N served, and with requests spread round-robin over the N, under each batching rule
/// (<see cref="LoraBatching"/>: rows of any adapters in one step, or one adapter's rows a step, the groups taking
/// turns). Where N &gt; 1, one adapter at ⌈streams / N⌉ streams too: the throughput a rule whose groups took turns in
/// Runs of their own rows only would reach (the planner's <c>Groups</c> leaves the other groups' rows idle in the Run).
/// </summary>
internal static class LoraMode
{
    private const string NoRule = "-";
    private const string NoAdapter = "served, unused";

    public static async Task<int> RunAsync(BenchmarkOptions options, string modelsRoot, string variant, IReadOnlyList<int> levels, CancellationToken cancellationToken)
    {
        var modelFolder = Path.Combine(modelsRoot, variant);
        var layout = DecoderLayout.Read(modelFolder);
        if ((layout.Lora ?? layout.WithLoraInputsAdded()?.Lora) is not { } shape)
        {
            await Console.Error.WriteLineAsync($"--lora needs a model whose graph takes LoRA inputs (--preset tiny or small) or can get them when it loads (--builder-form); {modelFolder} can take none.").ConfigureAwait(false);
            return 2;
        }

        var count = options.LoraAdapters!.Value;
        var rank = options.LoraRank;
        var adapterRoot = Path.Combine(modelsRoot, string.Create(CultureInfo.InvariantCulture, $"lora-r{rank}"));
        var names = Enumerable.Range(0, count).Select(j => string.Create(CultureInfo.InvariantCulture, $"a{j}")).ToArray();
        var served = new Dictionary<string, string>(options.ModelSettings);
        for (var j = 0; j < count; j++)
        {
            var folder = Path.Combine(adapterRoot, names[j]);
            RandomLoraAdapter.Write(folder, shape, rank, Enum.GetValues<LoraProjection>(), seed: 1000 + (ulong)j);
            served[$"Lora:Adapters:{names[j]}"] = folder;
        }

        served["Lora:MaxRank"] = Math.Max(rank, LoraLimits.DefaultMaxRank).ToString(CultureInfo.InvariantCulture);

        // Both rules unless --set LoraBatching=… names one.
        var rules = options.ModelSettings.TryGetValue(nameof(ModelOptions.LoraBatching), out var named)
            ? [Enum.Parse<LoraBatching>(named, ignoreCase: true)]
            : new[] { LoraBatching.PerRow, LoraBatching.Groups };
        var cap = options.Cap ?? levels.Max();
        var queueBound = Math.Max(256, options.RequestsPerLevel);
        Console.Error.WriteLine($"Serving {count} adapters of rank {rank} on q/k/v/o ({adapterRoot}), rules {string.Join(", ", rules)}, cap {cap} ...");

        var engines = new List<EngineTarget>();
        try
        {
            var none = await EngineTarget.StartAsync(modelsRoot, variant, cap, queueBound, options.PrefillChunk, cancellationToken, settings: options.ModelSettings).ConfigureAwait(false);
            engines.Add(none);
            var byRule = new Dictionary<LoraBatching, EngineTarget>();
            foreach (var rule in rules)
            {
                var settings = new Dictionary<string, string>(served) { [nameof(ModelOptions.LoraBatching)] = rule.ToString() };
                byRule[rule] = await EngineTarget.StartAsync(modelsRoot, variant, cap, queueBound, options.PrefillChunk, cancellationToken, settings: settings).ConfigureAwait(false);
                engines.Add(byRule[rule]);
            }

            var next = -1;
            string? RoundRobin() => names[(Interlocked.Increment(ref next) & int.MaxValue) % count];
            string? First() => names[0];
            var workloads = new List<Workload>();
            foreach (var level in levels)
            {
                workloads.Add(new Workload(level, "none", NoRule, level, none, null));
                workloads.Add(new Workload(level, NoAdapter, rules[0].ToString(), level, byRule[rules[0]], null));
                workloads.Add(new Workload(level, "one adapter", rules[0].ToString(), level, byRule[rules[0]], First));
                workloads.AddRange(rules.Select(rule => new Workload(level, $"mixed over {count}", rule.ToString(), level, byRule[rule], RoundRobin)));
                if (count > 1 && level > 1)
                {
                    workloads.Add(new Workload(level, Packed(count), rules[0].ToString(), (level + count - 1) / count, byRule[rules[0]], First));
                }
            }

            // A round unmeasured first (JIT, first-touch costs of every engine and path), then round after round, each
            // workload in turn, so that a drift of the machine touches every one alike.
            foreach (var workload in workloads)
            {
                await workload.WarmUpAsync(options, cancellationToken).ConfigureAwait(false);
            }

            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var workload in workloads)
                {
                    await workload.MeasureAsync(options, round, cancellationToken).ConfigureAwait(false);
                }
            }

            Console.WriteLine();
            Console.WriteLine(Render(layout, options, variant, count, rank, cap, rules, levels, workloads));
            return workloads.Any(w => w.Errors > 0) ? 1 : 0;
        }
        finally
        {
            foreach (var engine in engines)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string Packed(int count) => $"one, streams/{count}";

    private static string Render(DecoderLayout layout, BenchmarkOptions options, string variant, int count, int rank, int cap, LoraBatching[] rules, IReadOnlyList<int> levels, List<Workload> workloads)
    {
        var text = new StringBuilder();
        var sets = SettingsSuffix(options);
        text.AppendLine(Invariant($"Ember LoRA benchmark: preset {options.Preset}, variant {variant}, {count} adapters of rank {rank} on q/k/v/o, engine in process, max_tokens {options.MaxTokens}, {options.RequestsPerLevel} requests per workload and round, {options.Rounds} round(s), sequence cap {cap}, {Environment.ProcessorCount} cores{sets}"));
        text.AppendLine();
        text.AppendLine(Invariant($"{"conc",4} {"workload",-16} {"rule",-6} {"streams",7} {"reqs",5} {"agg tok/s",9} {"TTFT p50",9} {"TTFT p99",9} {"ITL p50",8} {"ITL p99",8} {"steps",6} {"tok/step",8} {"Run ms/step",11} {"errors",6}"));
        foreach (var w in workloads.OrderBy(w => w.Level).ThenBy(workloads.IndexOf))
        {
            var r = w.Result;
            text.AppendLine(Invariant($"{w.Level,4} {w.Label,-16} {w.Rule,-6} {w.Streams,7} {r.Requests,5} {r.AggregateTokensPerSecond,9:F1} {F(r.TimeToFirstTokenP50Ms),9} {F(r.TimeToFirstTokenP99Ms),9} {F(r.InterTokenP50Ms, "F2"),8} {F(r.InterTokenP99Ms, "F2"),8} {w.Steps,6} {F(w.TokensPerStep),8} {F(w.RunMsPerStep, "F2"),11} {r.Errors,6}"));
        }

        text.AppendLine();
        var header = new StringBuilder(Invariant($"{"conc",4}"));
        foreach (var rule in rules)
        {
            header.Append(Invariant($" {"mixed÷one " + rule,17}"));
        }

        header.Append(Invariant($" {"one÷none",8} {"unused÷none",11}"));
        if (rules.Length > 1)
        {
            header.Append(Invariant($" {"mixed Groups÷PerRow",19}"));
        }

        header.Append(Invariant($" {"streams/" + count + "÷one",13}"));
        text.AppendLine(header.ToString());
        foreach (var level in levels)
        {
            double? Tps(string label, string rule) =>
                workloads.FirstOrDefault(w => w.Level == level && w.Label == label && (rule == "*" || w.Rule == rule)) is { Errors: 0 } w ? w.Result.AggregateTokensPerSecond : null;
            var one = Tps("one adapter", "*");
            var row = new StringBuilder(Invariant($"{level,4}"));
            foreach (var rule in rules)
            {
                row.Append(Invariant($" {X(Ratio(Tps($"mixed over {count}", rule.ToString()), one)),17}"));
            }

            row.Append(Invariant($" {X(Ratio(one, Tps("none", NoRule))),8} {X(Ratio(Tps(NoAdapter, "*"), Tps("none", NoRule))),11}"));
            if (rules.Length > 1)
            {
                row.Append(Invariant($" {X(Ratio(Tps($"mixed over {count}", nameof(LoraBatching.Groups)), Tps($"mixed over {count}", nameof(LoraBatching.PerRow)))),19}"));
            }

            row.Append(Invariant($" {X(Ratio(Tps(Packed(count), "*"), one)),13}"));
            text.AppendLine(row.ToString());
        }

        text.AppendLine();
        text.AppendLine(Invariant($"none: no adapter served{(layout.Lora is null ? " (the graph as it is, without LoRA inputs)" : string.Empty)}; served, unused: {count} served{(layout.Lora is null ? " (LoRA inputs added when it loads)" : string.Empty)}, no request on one; one adapter: every request on a0; mixed over {count}: requests round-robin over the {count} adapters, in the order they are sent."));
        text.AppendLine("PerRow: rows of any adapters in one step; Groups: one adapter's rows a step (the others idle in the Run), the groups taking turns.");
        if (count > 1)
        {
            text.AppendLine(Invariant($"{Packed(count)}: one adapter at ⌈streams / {count}⌉ streams, the tok/s of groups taking turns in Runs of their own rows only (packed), for comparison."));
        }

        text.AppendLine("Target (issue #27): mixed÷one ≥ 0.75 at 16 streams, in the same run.");
        foreach (var w in workloads.Where(w => w.Result.FirstError is not null))
        {
            text.AppendLine(Invariant($"c={w.Level} {w.Label} {w.Rule}: {w.Errors} errors, first: {w.Result.FirstError}"));
        }

        return text.ToString();
    }

    /// <summary>One row of the table: a workload on an engine at a number of streams, measured once a round.</summary>
    private sealed class Workload(int level, string label, string rule, int streams, EngineTarget engine, Func<string?>? lora)
    {
        private readonly List<RequestSample> _samples = [];
        private double _wallSeconds;
        private long _steps;
        private long _tokens;
        private TimeSpan _run;

        public int Level => level;

        public string Label => label;

        public string Rule => rule;

        public int Streams => streams;

        public LevelResult Result => LevelResult.From(label, level, _samples, _wallSeconds, null);

        public int Errors => _samples.Count(s => s.Error is not null);

        public long Steps => _steps;

        public double? TokensPerStep => _steps > 0 ? (double)_tokens / _steps : null;

        public double? RunMsPerStep => _steps > 0 ? _run.TotalMilliseconds / _steps : null;

        public async Task WarmUpAsync(BenchmarkOptions options, CancellationToken cancellationToken)
        {
            engine.Lora = lora;
            await LoadDriver.RunAsync(engine, streams, Math.Max(2 * streams, 8), Math.Min(16, options.MaxTokens), $"c={level} {label} {rule} warm-up", cancellationToken).ConfigureAwait(false);
        }

        public async Task MeasureAsync(BenchmarkOptions options, int round, CancellationToken cancellationToken)
        {
            engine.Lora = lora;
            var name = $"c={level} {label} {rule} round {round}";
            await LoadDriver.RunAsync(engine, streams, streams, Math.Min(8, options.MaxTokens), name + " warm-up", cancellationToken).ConfigureAwait(false);
            var before = engine.Statistics?.Split();
            var (samples, wall) = await LoadDriver.RunAsync(engine, streams, options.RequestsPerLevel, options.MaxTokens, name, cancellationToken).ConfigureAwait(false);
            if (before is not null && engine.Statistics?.Split().Since(before) is { } split)
            {
                _steps += split.DecodeSteps;
                _run += split.DecodeRun;
            }

            _samples.AddRange(samples);
            _tokens += samples.Sum(s => (long)s.Tokens);
            _wallSeconds += wall;
        }
    }
}
