using Ember.Models.Lora;
using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Engine;

/// <summary>
/// Runs a builder-style decoder (<c>GroupQueryAttention</c> reading <c>seqlens_k</c> and
/// <c>total_sequence_length</c> from the attention mask) directly on ONNX Runtime with a <see cref="KvCache"/>
/// of slots: a prompt is prefilled into one slot, in chunks if need be; a decode step runs one token for every
/// slot below the highest one decoding, each at its own length. Other slots below it run as dummy rows that
/// write one throw-away entry just past their valid ones.
/// </summary>
/// <remarks>
/// Used by the owning scheduler thread only; owns its session and cache. ONNX Runtime's exceptions are
/// translated here, the one place this path calls it.
/// </remarks>
internal sealed class DecoderSession : IDecoder
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly KvCache _cache;
    private readonly RunOptions _runOptions = new();
    private float[] _stepLogits = [];
    private byte[] _stepLogitsRaw = [];
    private readonly int _logitBytes;
    private readonly long[] _slotAdapters;
    private LoraStack? _adapters;

    private DecoderSession(InferenceSession session, DecoderLayout layout, KvCache cache, DecoderProvider provider)
    {
        _session = session;
        _layout = layout;
        _cache = cache;
        Provider = provider;
        _logitBytes = DecoderTypes.SizeOf(layout.Types.Logits);
        _slotAdapters = new long[cache.Slots];
        Array.Fill(_slotAdapters, -1L);
        EnsureLogits(cache.Slots);
    }

    /// <summary>Width of the logits.</summary>
    public int VocabSize => _layout.VocabSize;

    /// <summary>The sizes adapters are checked against.</summary>
    /// <exception cref="NotSupportedException">The graph takes no adapters.</exception>
    private LoraTargetShape LoraShape => _layout.Lora ?? throw new NotSupportedException("This model's graph takes no LoRA adapters (it has no lora_row_adapters input).");

    /// <summary>Gets the number of adapters served (<see cref="UseAdapters"/>); a slot's adapter is below it.</summary>
    public int Adapters => _adapters?.Count ?? 0;

    /// <summary>
    /// Serves <paramref name="adapters"/> (each checked against <see cref="DecoderLayout.Lora"/>), replacing those served
    /// before; adapter j is what <see cref="SelectAdapter"/> calls j. Every slot is reset to no adapter.
    /// </summary>
    /// <exception cref="NotSupportedException">The graph takes no adapters.</exception>
    public void UseAdapters(IReadOnlyList<LoraAdapter> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        var shape = LoraShape;
        var stack = adapters.Count == 0 ? null : Guard("stack the adapters", () => new LoraStack(adapters, shape));
        _adapters?.Dispose();
        _adapters = stack;
        Array.Fill(_slotAdapters, -1L);
    }

    /// <summary>
    /// Serves <paramref name="adapters"/> (each checked against <see cref="DecoderLayout.Lora"/>) after those served
    /// already, which keep their numbers and their stacked columns (copied, not rebuilt); every slot keeps its adapter.
    /// </summary>
    /// <exception cref="NotSupportedException">The graph takes no adapters.</exception>
    /// <exception cref="AiTextGenerationException">ONNX Runtime could not take the stacked tensors; the adapters served before stay.</exception>
    public void AddAdapters(IReadOnlyList<LoraAdapter> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        var shape = LoraShape;
        if (adapters.Count == 0)
        {
            return;
        }

        var previous = _adapters;
        _adapters = Guard("stack the adapters", () => previous is null ? new LoraStack(adapters, shape) : previous.Append(adapters, shape));
        previous?.Dispose();
    }

    /// <summary>Sets the adapter the sequence in <paramref name="slot"/> runs with: one in [0, <see cref="Adapters"/>), or -1 for none.</summary>
    public void SelectAdapter(int slot, int adapter)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)Slots, nameof(slot));
        ArgumentOutOfRangeException.ThrowIfLessThan(adapter, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(adapter, Adapters);
        _slotAdapters[slot] = adapter;
    }

    /// <summary>Gets the <see cref="System.Diagnostics.Stopwatch"/> ticks the last <see cref="Prefill"/> or <see cref="Decode"/> spent inside ONNX Runtime's <c>Run</c>.</summary>
    public long LastRunTicks { get; private set; }

    /// <summary>Sequences decoded at once at most.</summary>
    public int Slots => _cache.Slots;

    /// <summary>Copies the entries of slot <paramref name="from"/>'s first <paramref name="tokens"/> positions into slot <paramref name="to"/> (prefix caching).</summary>
    /// <exception cref="AiTextGenerationException">The copy failed (a device error).</exception>
    public void CopyPrefix(int from, int to, int tokens)
    {
        try
        {
            _cache.CopyPrefix(from, to, tokens);
        }
        catch (InsufficientMemoryException e)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"Copying {tokens} cached tokens from slot {from} to {to} failed: {e.Message}", e);
        }
    }

    /// <summary>Bytes of the KV cache.</summary>
    public long CacheBytes => _cache.Bytes;

    /// <summary>The KV cache itself, whose entries a caller may read between calls (what a quantized cache stores, measured).</summary>
    public KvCache Cache => _cache;

    /// <summary>Where the KV cache lives, for the start-up log.</summary>
    public string CacheWhere => _cache.Where;

    /// <summary>Longest sequence (prompt and generated tokens) a slot holds.</summary>
    public int MaxLength => _cache.MaxLength;

    /// <summary>The provider it runs on, and what the decoder can do there.</summary>
    public DecoderProvider Provider { get; }

    /// <summary>
    /// Loads the decoder of <paramref name="layout"/> on <paramref name="provider"/> (the CPU when null) with a cache
    /// of <paramref name="slots"/> slots in that provider's cache memory; <paramref name="spinning"/> lets ONNX
    /// Runtime's worker threads spin between operators.
    /// </summary>
    /// <exception cref="AiTextGenerationException">The provider could not start, the model could not load on it, or the cache did not fit.</exception>
    /// <param name="layout">The model.</param>
    /// <param name="slots">Slots of the cache.</param>
    /// <param name="maxLength">The context limit the model is served with.</param>
    /// <param name="intraOpThreads">ONNX Runtime's threads (0: its default).</param>
    /// <param name="spinning">Whether those threads spin between operators.</param>
    /// <param name="provider">The provider; the CPU when null.</param>
    /// <param name="logPlacement">Log at ONNX Runtime's verbose level, which says on which provider each node runs (the GPU check).</param>
    /// <param name="profilePrefix">Where ONNX Runtime's profiler writes its trace (the benchmark's <c>--profile</c>; <see cref="EndProfiling"/> ends it); none when null.</param>
    public static DecoderSession Load(DecoderLayout layout, int slots, int maxLength, int intraOpThreads, bool spinning, DecoderProvider? provider = null, bool logPlacement = false, string? profilePrefix = null)
    {
        provider ??= DecoderProvider.Cpu;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (profilePrefix is not null)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profilePrefix;
        }

        if (logPlacement)
        {
            options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE;
        }

        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }

        // Spinning, when on, lasts only as long as a Run: between the operators of one step a worker thread spins instead
        // of sleeping and being woken (tens of microseconds, hundreds of times a step), and when the step ends the threads
        // stop, leaving the cores to the scheduler, Kestrel and the clients until the next step.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        options.AddSessionConfigEntry("session.force_spinning_stop", "1");
        provider.AppendTo(options);
        var session = Guard($"load the decoder on {provider.Provider}", () => layout.AddsLoraInputs ? LoadWithLoraInputs(layout, options) : new InferenceSession(layout.ModelPath, options));
        KvCache? cache = null;
        try
        {
            var length = layout.SlotLength(maxLength);
            var bytes = KvCache.BytesFor(layout.Layers, slots, layout.KvHeads, length, layout.HeadSize, layout.Types.CacheElementBytes);
            try
            {
                cache = new KvCache(layout.Layers, slots, layout.KvHeads, length, layout.HeadSize, layout.Types.Cache, provider.CacheMemory());
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"The KV cache on {provider.Provider} device {provider.DeviceId} needs the CUDA 13 runtime (libcudart.so.13, cudart64_13.dll), which could not be loaded: {e.Message}", e);
            }
            catch (OutOfMemoryException e)
            {
                throw new AiTextGenerationException(
                    AiErrorKind.RuntimeFailure,
                    $"The KV cache of {slots} slots × {length} tokens ({ByteSize.Format(bytes)}) does not fit on {provider.Provider} device {provider.DeviceId}: {e.Message} Lower SequenceCap or Limits:ContextTokensLimit.",
                    e);
            }

            return new DecoderSession(session, layout, cache, provider);
        }
        catch
        {
            cache?.Dispose();
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the next <paramref name="chunk"/> of a prompt into <paramref name="slot"/>, whose first
    /// <paramref name="pastLength"/> positions are already in the cache, and returns the chunk's last-position logits.
    /// </summary>
    public float[] Prefill(int slot, ReadOnlySpan<int> chunk, int pastLength)
    {
        var length = chunk.Length;
        var ids = new long[length];
        for (var i = 0; i < length; i++)
        {
            ids[i] = chunk[i];
        }

        var mask = new long[pastLength + length];
        Array.Fill(mask, 1L);
        var query = _layout.QuerySeqlens is null ? null : new[] { length };
        return Guard("prefill a prompt", () =>
        {
            using var inputIds = IdTensor(ids, [1, length], _layout.Types.InputIds);
            using var attention = IdTensor(mask, [1, mask.Length], _layout.Types.AttentionMask);
            using var queryLengths = query is null ? null : OrtValue.CreateTensorValueFromMemory(query, [1]);
            using var binding = _session.CreateIoBinding();
            binding.BindInput(_layout.InputIds, inputIds);
            binding.BindInput(_layout.AttentionMask, attention);
            using var rowAdapters = BindAdapters(binding, slot, 1);
            if (queryLengths is not null)
            {
                binding.BindInput(_layout.QuerySeqlens!, queryLengths);
            }

            binding.BindOutputToDevice(_layout.Logits, OrtMemoryInfo.DefaultInstance);
            using var views = BindCache(binding, slot, 1);
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            _session.RunWithBinding(_runOptions, binding);
            LastRunTicks = System.Diagnostics.Stopwatch.GetTimestamp() - start;
            using var outputs = binding.GetOutputValues();
            var last = new float[VocabSize];
            var raw = outputs[0].GetTensorDataAsSpan<byte>();

            // [1, chunk, vocab] without query_seqlens, [1, 1, vocab] with it: the last row either way.
            var positions = (int)outputs[0].GetTensorTypeAndShape().Shape[1];
            LogitConverter.ToSingle(raw[((positions - 1) * VocabSize * _logitBytes)..], _layout.Types.Logits, last);
            return last;
        });
    }

    /// <summary>
    /// One decode step for slots [0, rows): row b takes <paramref name="tokens"/>[b] at position
    /// <paramref name="lengths"/>[b] (its tokens so far). Returns logits [rows, vocab], valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Decode(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths)
    {
        var width = 0;
        var ids = new long[rows];
        for (var b = 0; b < rows; b++)
        {
            ids[b] = tokens[b];
            width = Math.Max(width, lengths[b] + 1);
        }

        var mask = new long[rows * width];
        for (var b = 0; b < rows; b++)
        {
            Array.Fill(mask, 1L, b * width, lengths[b] + 1);
        }

        int[]? query = null;
        if (_layout.QuerySeqlens is not null)
        {
            query = new int[rows];
            Array.Fill(query, 1);
        }

        LastRunTicks = RunRows("decode a step", rows, 1, ids, mask, width, query);
        return _stepLogits.AsSpan(0, rows * VocabSize);
    }

    /// <summary>
    /// Gets a value indicating whether <see cref="Step"/> runs: the graph takes <c>query_seqlens</c>
    /// (<see cref="DecoderLayout.QuerySeqlens"/>) and the provider honours it (<see cref="DecoderProvider.QuerySeqlens"/>).
    /// </summary>
    public bool MixedSteps => _layout.QuerySeqlens is not null && Provider.QuerySeqlens;

    /// <summary>Why <see cref="MixedSteps"/> is what it is, for the start-up log.</summary>
    public string MixedStepsReason =>
        _layout.QuerySeqlens is null ? "the graph has no query_seqlens input (as the model builder exports it)"
        : Provider.QuerySeqlens ? $"the graph takes query_seqlens on {Provider.Provider}"
        : $"the graph takes query_seqlens, which Ember does not feed on {Provider.Provider}";

    /// <summary>
    /// Gets a value indicating whether <see cref="Step"/> takes logit counts (speculative decoding's verification): mixed
    /// steps run, and the graph takes <c>logit_counts</c> (<see cref="DecoderLayout.LogitCounts"/>).
    /// </summary>
    public bool Verifies => MixedSteps && _layout.LogitCounts is not null;

    /// <summary>
    /// One mixed step for slots [0, <paramref name="rows"/>) (only when <see cref="MixedSteps"/>): row b feeds
    /// <paramref name="counts"/>[b] tokens (0: idle, cache untouched; 1: a decode token; more: a prefill chunk, or a
    /// decode token and drafted ones), taken in order from <paramref name="tokens"/>, after its first
    /// <paramref name="pastLengths"/>[b] entries. Returns logits [outputs, vocab], valid until the next call: with no
    /// <paramref name="logitCounts"/>, one a row, row b's those of its last fed token (an idle row's unspecified); with
    /// them (only when <see cref="Verifies"/>), those of row b's last logitCounts[b] fed tokens, in order, row after row.
    /// </summary>
    /// <remarks>
    /// One <c>Run</c>: input_ids [rows, S], each row right-padded to S, the most tokens a row feeds; an attention mask
    /// with pastLengths[b] + counts[b] ones in row b (GroupQueryAttention reads seqlens_k from it); <c>query_seqlens</c>
    /// = counts. An idle row is given one cached token and none fed, whatever it holds, so nothing in it is checked or
    /// read. ONNX Runtime requires every row to have room for the whole padded chunk after its past (pastLengths[b] + S
    /// within the slot); rows near the end of their slot that lack it run in a further <c>Run</c>, the others idle.
    /// </remarks>
    /// <exception cref="NotSupportedException">The decoder cannot run mixed steps, or logit counts were given and it cannot verify.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row is out of the cache, or the counts and tokens disagree.</exception>
    /// <exception cref="AiTextGenerationException">The run failed.</exception>
    public ReadOnlySpan<float> Step(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts, ReadOnlySpan<int> pastLengths, ReadOnlySpan<int> logitCounts = default)
    {
        if (!MixedSteps)
        {
            throw new NotSupportedException($"This decoder runs prefill and decode apart: {MixedStepsReason}.");
        }

        var chosen = !logitCounts.IsEmpty;
        if (chosen && !Verifies)
        {
            throw new NotSupportedException($"This model's graph has no {DecoderLayout.LogitCountsInput} input: it returns one position's logits a row.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, Slots);
        ArgumentOutOfRangeException.ThrowIfLessThan(counts.Length, rows, nameof(counts));
        ArgumentOutOfRangeException.ThrowIfLessThan(pastLengths.Length, rows, nameof(pastLengths));
        if (chosen)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(logitCounts.Length, rows, nameof(logitCounts));
        }

        var offsets = new int[rows];
        var outputAt = new int[rows];
        var pending = new List<int>(rows);
        var fed = 0;
        var outputs = 0;
        for (var b = 0; b < rows; b++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(counts[b], nameof(counts));
            ArgumentOutOfRangeException.ThrowIfNegative(pastLengths[b], nameof(pastLengths));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(pastLengths[b] + counts[b], MaxLength, nameof(pastLengths));
            offsets[b] = fed;
            fed += counts[b];
            outputAt[b] = outputs;
            if (chosen)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(logitCounts[b], nameof(logitCounts));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(logitCounts[b], counts[b], nameof(logitCounts));
                outputs += logitCounts[b];
            }
            else
            {
                outputs++;
            }

            if (counts[b] > 0)
            {
                pending.Add(b);
            }
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(tokens.Length, fed, nameof(tokens));
        EnsureLogits(outputs);
        var vocab = VocabSize;
        float[]? merged = null;
        long ticks = 0;
        while (pending.Count > 0)
        {
            // The rows with the longest chunk always fit (their past and chunk are within the slot), so each Run takes some.
            var sequence = 0;
            foreach (var b in pending)
            {
                sequence = Math.Max(sequence, counts[b]);
            }

            var now = new List<int>(pending.Count);
            foreach (var b in pending)
            {
                if (pastLengths[b] + sequence <= MaxLength)
                {
                    now.Add(b);
                }
            }

            var ids = new long[rows * sequence];
            var query = new int[rows];
            var totals = new int[rows];
            var wanted = chosen ? new int[rows] : null;
            Array.Fill(totals, 1);
            foreach (var b in now)
            {
                for (var i = 0; i < counts[b]; i++)
                {
                    ids[(b * sequence) + i] = tokens[offsets[b] + i];
                }

                query[b] = counts[b];
                totals[b] = pastLengths[b] + counts[b];
                if (wanted is not null)
                {
                    wanted[b] = logitCounts[b];
                }
            }

            var width = Math.Max(sequence, totals.Max());
            var mask = new long[rows * width];
            for (var b = 0; b < rows; b++)
            {
                Array.Fill(mask, 1L, b * width, totals[b]);
            }

            var runOutputs = wanted?.Sum() ?? rows;
            ticks += RunRows("run a mixed step", rows, sequence, ids, mask, width, query, wanted, runOutputs);
            pending.RemoveAll(now.Contains);
            if (pending.Count > 0 || merged is not null)
            {
                // Rows that run in different Runs: each Run's outputs are gathered at their place in the step's.
                merged ??= new float[outputs * vocab];
                var at = 0;
                for (var b = 0; b < rows; b++)
                {
                    // A row of another Run is idle in this one: one position (padding) without logit counts, none with them.
                    var rowOutputs = wanted?[b] ?? 1;
                    if (query[b] > 0)
                    {
                        _stepLogits.AsSpan(at * vocab, rowOutputs * vocab).CopyTo(merged.AsSpan(outputAt[b] * vocab));
                    }

                    at += rowOutputs;
                }
            }
        }

        merged?.CopyTo(_stepLogits.AsSpan(0, outputs * vocab));
        LastRunTicks = ticks;
        return _stepLogits.AsSpan(0, outputs * vocab);
    }

    /// <summary>Grows the step's logit buffers to hold <paramref name="outputs"/> positions (a verification step's can exceed one a slot); they only grow.</summary>
    private void EnsureLogits(int outputs)
    {
        var count = outputs * VocabSize;
        if (count <= _stepLogits.Length)
        {
            return;
        }

        _stepLogits = new float[count];
        _stepLogitsRaw = _layout.Types.Logits == TensorElementType.Float ? [] : GC.AllocateArray<byte>(count * _logitBytes, pinned: true);
    }

    /// <summary>Ends the profiler a <c>profilePrefix</c> started and returns its trace's file (Chrome's trace format).</summary>
    public string EndProfiling() => Guard("end the profiler", _session.EndProfiling);

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _cache.Dispose();
        _adapters?.Dispose();
    }

    /// <summary>
    /// Loads the graph with LoRA inputs added (<see cref="LoraGraft"/>) from memory, its external data read from the
    /// model's own folder as when it loads from the file.
    /// </summary>
    private static InferenceSession LoadWithLoraInputs(DecoderLayout layout, SessionOptions options)
    {
        byte[] model;
        try
        {
            model = LoraGraft.Apply(layout.ModelPath, layout.Lora!, layout.InputIds);
        }
        catch (InvalidDataException e)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"Ember could not add LoRA inputs to the model: {e.Message}", e);
        }

        options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", Path.GetDirectoryName(Path.GetFullPath(layout.ModelPath))!);
        return new InferenceSession(model, options);
    }

    private static T Guard<T>(string what, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (OnnxRuntimeException e)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"ONNX Runtime failed to {what}: {e.Message}", e);
        }
    }

    /// <summary>The pinned step buffer's address: it is allocated on the pinned heap (a larger one replaces it only between steps), so it never moves while a step uses it.</summary>
    private static unsafe nint RawAddress(byte[] pinned) => (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned));

    /// <summary>A token or mask tensor of the graph's integer type.</summary>
    private static OrtValue IdTensor(long[] values, long[] shape, TensorElementType type)
    {
        if (type == TensorElementType.Int64)
        {
            return OrtValue.CreateTensorValueFromMemory(values, shape);
        }

        var narrow = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            narrow[i] = checked((int)values[i]);
        }

        return OrtValue.CreateTensorValueFromMemory(narrow, shape);
    }

    /// <summary>
    /// One <c>Run</c> of slots [0, <paramref name="rows"/>), <paramref name="sequence"/> tokens a row, whose logits
    /// [rows, 1, vocab] land in the step buffer; returns the <see cref="System.Diagnostics.Stopwatch"/> ticks spent in <c>Run</c>.
    /// </summary>
    private long RunRows(string what, int rows, int sequence, long[] ids, long[] mask, int width, int[]? query, int[]? logitCounts = null, int outputs = -1)
    {
        outputs = outputs < 0 ? rows : outputs;
        var stepLogits = _stepLogits;
        var raw = _stepLogitsRaw;
        var logitsType = _layout.Types.Logits;
        var count = outputs * VocabSize;
        var ticks = Guard(what, () =>
        {
            using var inputIds = IdTensor(ids, [rows, sequence], _layout.Types.InputIds);
            using var attention = IdTensor(mask, [rows, width], _layout.Types.AttentionMask);
            using var queryLengths = query is null ? null : OrtValue.CreateTensorValueFromMemory(query, [rows]);
            using var logits = logitsType == TensorElementType.Float
                ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, stepLogits.AsMemory(0, count), [outputs, 1, VocabSize])
                : OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, logitsType, [outputs, 1, VocabSize], RawAddress(raw), (long)count * _logitBytes);
            using var wanted = logitCounts is null ? null : OrtValue.CreateTensorValueFromMemory(logitCounts, [rows]);
            using var binding = _session.CreateIoBinding();
            binding.BindInput(_layout.InputIds, inputIds);
            binding.BindInput(_layout.AttentionMask, attention);
            using var rowAdapters = BindAdapters(binding, 0, rows);
            if (queryLengths is not null)
            {
                binding.BindInput(_layout.QuerySeqlens!, queryLengths);
            }

            if (wanted is not null)
            {
                binding.BindInput(_layout.LogitCounts!, wanted);
            }

            binding.BindOutput(_layout.Logits, logits);
            using var views = BindCache(binding, 0, rows);
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            _session.RunWithBinding(_runOptions, binding);
            return System.Diagnostics.Stopwatch.GetTimestamp() - start;
        });
        if (logitsType != TensorElementType.Float)
        {
            LogitConverter.ToSingle(raw.AsSpan(0, count * _logitBytes), logitsType, stepLogits.AsSpan(0, count));
        }

        return ticks;
    }

    /// <summary>
    /// Binds the adapters of slots [<paramref name="first"/>, +<paramref name="count"/>) and the stacked factors, when
    /// adapters are served; returns the row tensor to dispose after the run (null when none is bound: the graph's
    /// defaults are the base model).
    /// </summary>
    private OrtValue? BindAdapters(OrtIoBinding binding, int first, int count)
    {
        if (_adapters is null)
        {
            return null;
        }

        _adapters.Bind(binding);
        var rows = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _slotAdapters.AsMemory(first, count), [count]);
        binding.BindInput(LoraGraphInputs.RowAdapters, rows);
        return rows;
    }

    private CacheViews BindCache(OrtIoBinding binding, int first, int count)
    {
        var views = new CacheViews();
        for (var layer = 0; layer < _layout.Layers; layer++)
        {
            var keys = views.Add(_cache.Keys(layer, first, count));
            var values = views.Add(_cache.Values(layer, first, count));
            binding.BindInput(_layout.PastKey[layer], keys);
            binding.BindInput(_layout.PastValue[layer], values);
            binding.BindOutput(_layout.PresentKey[layer], keys);
            binding.BindOutput(_layout.PresentValue[layer], values);
        }

        return views;
    }
}
