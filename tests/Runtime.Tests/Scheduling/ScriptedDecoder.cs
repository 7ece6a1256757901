using Ember.Models.Lora;
using Ember.Runtime.Engine;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// A decoder without ONNX for the scheduler's tests: each slot's cache holds the tokens written into it, and the logits
/// of a position pick <see cref="NextToken"/> of everything the slot holds up to it, so a wrong cache entry (a bad
/// copy, a chunk at the wrong place) changes the text. Records every call; fails the calls <see cref="FailWhen"/> names.
/// </summary>
internal sealed class ScriptedDecoder : IDecoder
{
    /// <summary>The vocabulary: ids 0–2 are special (<c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>), the rest words.</summary>
    public const int Vocabulary = 64;

    /// <summary>The end-of-sequence token, which <see cref="NextToken"/> never picks.</summary>
    public const int Eos = 2;

    private readonly int[][] _cache;
    private float[] _logits = [];

    public ScriptedDecoder(int slots, int maxLength, bool mixedSteps, bool loops = false)
    {
        Slots = slots;
        MaxLength = maxLength;
        MixedSteps = mixedSteps;
        Verifies = mixedSteps;
        Loops = loops;
        _cache = [.. Enumerable.Range(0, slots).Select(_ => new int[maxLength])];
    }

    public int VocabSize => Vocabulary;

    public int Slots { get; }

    public int MaxLength { get; }

    public DecoderProvider Provider => DecoderProvider.Cpu;

    public bool MixedSteps { get; }

    /// <summary>Gets or sets a value indicating whether <see cref="Step"/> takes logit counts (speculation).</summary>
    public bool Verifies { get; set; }

    /// <summary>Gets a value indicating whether the model picks <see cref="LoopingToken"/> (its text falls into loops, which n-gram drafts predict) instead of <see cref="NextToken"/>.</summary>
    public bool Loops { get; }

    /// <summary>Every logit-count list <see cref="Step"/> was given (empty when none), in order.</summary>
    public List<int[]> LogitCountsGiven { get; } = [];

    public long LastRunTicks => 0;

    /// <summary>Gets or sets the number of adapters it claims to serve.</summary>
    public int Adapters { get; set; }

    /// <summary>Every (slot, adapter) <see cref="SelectAdapter"/> was given, in order.</summary>
    public List<(int Slot, int Adapter)> SelectedAdapters { get; } = [];

    public void SelectAdapter(int slot, int adapter) => SelectedAdapters.Add((slot, adapter));

    /// <summary>The names of the adapters each <see cref="AddAdapters"/> was given, in order, with the calls made before it.</summary>
    public List<(int CallsBefore, string[] Names)> AdapterLists { get; } = [];

    public void AddAdapters(IReadOnlyList<LoraAdapter> adapters)
    {
        AdapterLists.Add((Calls.Count, [.. adapters.Select(adapter => adapter.Name)]));
        Adapters += adapters.Count;
    }

    /// <summary>Every call, in order.</summary>
    public List<DecoderCall> Calls { get; } = [];

    /// <summary>Which calls throw (a failed <c>Run</c>), after writing garbage into every row they would touch.</summary>
    public Func<DecoderCall, bool> FailWhen { get; set; } = _ => false;

    public bool Disposed { get; private set; }

    /// <summary>The token the model picks after <paramref name="context"/>: a hash of all of it, never a special token.</summary>
    public static int NextToken(ReadOnlySpan<int> context)
    {
        var hash = 17u;
        foreach (var token in context)
        {
            hash = unchecked((hash * 31u) + (uint)token + 7u);
        }

        return 3 + (int)(hash % (Vocabulary - 3));
    }

    /// <summary>The token a looping model picks after <paramref name="context"/>: a function of the last two tokens into 8 words, so its text soon repeats.</summary>
    public static int LoopingToken(ReadOnlySpan<int> context)
    {
        var last = context.Length > 0 ? context[^1] : 0;
        var before = context.Length > 1 ? context[^2] : 0;
        return 3 + (int)((uint)((last * 5) + (before * 3) + 1) % 8u);
    }

    /// <summary>The greedy continuation of <paramref name="prompt"/> run alone: what every request must get, whoever it is batched with.</summary>
    public static int[] Reference(int[] prompt, int maxTokens, bool loops = false)
    {
        var context = new List<int>(prompt);
        for (var i = 0; i < maxTokens; i++)
        {
            context.Add(loops ? LoopingToken(context.ToArray()) : NextToken(context.ToArray()));
        }

        return [.. context.Skip(prompt.Length)];
    }

    public void CopyPrefix(int from, int to, int tokens)
    {
        var call = new DecoderCall(DecoderCallKind.Copy, 0, [from, to], [tokens], []);
        Record(call, [to]);
        _cache[from].AsSpan(0, tokens).CopyTo(_cache[to]);
    }

    public float[] Prefill(int slot, ReadOnlySpan<int> chunk, int pastLength)
    {
        var call = new DecoderCall(DecoderCallKind.Prefill, 1, [slot], [chunk.Length], [pastLength]);
        Record(call, [slot]);
        chunk.CopyTo(_cache[slot].AsSpan(pastLength));
        return OneHot(slot, pastLength + chunk.Length);
    }

    public ReadOnlySpan<float> Decode(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths)
    {
        var call = new DecoderCall(DecoderCallKind.Decode, rows, [.. Enumerable.Range(0, rows)], [.. Enumerable.Repeat(1, rows)], lengths[..rows].ToArray());
        Record(call, call.Slots);
        _logits = new float[rows * Vocabulary];
        for (var row = 0; row < rows; row++)
        {
            _cache[row][lengths[row]] = tokens[row];
            OneHot(row, lengths[row] + 1).CopyTo(_logits, row * Vocabulary);
        }

        return _logits;
    }

    public ReadOnlySpan<float> Step(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts, ReadOnlySpan<int> pastLengths, ReadOnlySpan<int> logitCounts = default)
    {
        if (!MixedSteps)
        {
            throw new NotSupportedException("this scripted decoder runs separate steps");
        }

        if (!logitCounts.IsEmpty && !Verifies)
        {
            throw new NotSupportedException("this scripted decoder does not verify");
        }

        LogitCountsGiven.Add(logitCounts.IsEmpty ? [] : logitCounts[..rows].ToArray());
        var call = new DecoderCall(DecoderCallKind.Step, rows, [.. Enumerable.Range(0, rows)], counts[..rows].ToArray(), pastLengths[..rows].ToArray());
        Record(call, [.. Enumerable.Range(0, rows).Where(row => call.Counts[row] > 0)]);
        Assert.Equal(counts[..rows].ToArray().Sum(), tokens.Length);
        var outputs = logitCounts.IsEmpty ? rows : logitCounts[..rows].ToArray().Sum();
        _logits = new float[outputs * Vocabulary];
        var next = 0;
        var at = 0;
        for (var row = 0; row < rows; row++)
        {
            tokens.Slice(next, counts[row]).CopyTo(_cache[row].AsSpan(pastLengths[row]));
            next += counts[row];
            var wanted = logitCounts.IsEmpty ? 1 : logitCounts[row];
            Assert.True(wanted <= Math.Max(counts[row], logitCounts.IsEmpty ? 1 : 0), $"row {row} asks {wanted} logits of {counts[row]} fed tokens");
            for (var j = 0; j < wanted; j++)
            {
                if (counts[row] > 0)
                {
                    OneHot(row, pastLengths[row] + counts[row] - wanted + j + 1).CopyTo(_logits, (at + j) * Vocabulary);
                }
            }

            at += wanted;
        }

        return _logits;
    }

    public void Dispose() => Disposed = true;

    private void Record(DecoderCall call, int[] touched)
    {
        Calls.Add(call);
        if (FailWhen(call))
        {
            foreach (var slot in touched)
            {
                Array.Fill(_cache[slot], 1);
            }

            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"scripted failure of call {Calls.Count}");
        }
    }

    private float[] OneHot(int slot, int length)
    {
        var logits = new float[Vocabulary];
        var context = _cache[slot].AsSpan(0, length);
        logits[Loops ? LoopingToken(context) : NextToken(context)] = 1;
        return logits;
    }
}
