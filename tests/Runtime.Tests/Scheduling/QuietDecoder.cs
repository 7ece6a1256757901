using Ember.Runtime.Engine;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>
/// A decoder that allocates nothing after it is made, for measuring what the scheduler allocates per step: every call
/// returns the same preallocated logits (token <see cref="Token"/> first), and each mixed step notes the adapters of
/// the rows that fed tokens in a preallocated buffer (<see cref="StepAdapters"/>). Adding adapters throws
/// <c>addFailure</c>, or by default <see cref="NotSupportedException"/>.
/// </summary>
internal sealed class QuietDecoder(int slots, int maxLength, int adapters, Exception? addFailure = null) : IDecoder
{
    /// <summary>The token the logits pick.</summary>
    public const int Token = 5;

    private readonly int[] _adapters = [.. Enumerable.Repeat(-1, slots)];
    private readonly float[] _logits = [.. Enumerable.Range(0, slots * ScriptedDecoder.Vocabulary).Select(i => i % ScriptedDecoder.Vocabulary == Token ? 1f : 0f)];
    private readonly float[] _prefillLogits = [.. Enumerable.Range(0, ScriptedDecoder.Vocabulary).Select(i => i == Token ? 1f : 0f)];

    public int VocabSize => ScriptedDecoder.Vocabulary;

    public int Slots => slots;

    public int MaxLength => maxLength;

    public DecoderProvider Provider => DecoderProvider.Cpu;

    public bool MixedSteps => true;

    public bool Verifies => false;

    public int Adapters => adapters;

    public long LastRunTicks => 0;

    /// <summary>Gets the mixed steps run.</summary>
    public int Steps { get; private set; }

    /// <summary>Per mixed step (up to 4,096), the adapters of the rows that fed tokens: bit a + 1 for adapter a, bit 0 for none.</summary>
    public long[] StepAdapters { get; } = new long[4096];

    public void SelectAdapter(int slot, int adapter) => _adapters[slot] = adapter;

    public void AddAdapters(IReadOnlyList<Ember.Models.Lora.LoraAdapter> adapters) => throw addFailure ?? new NotSupportedException("the quiet decoder serves a fixed number of adapters");

    public void CopyPrefix(int from, int to, int tokens)
    {
    }

    public float[] Prefill(int slot, ReadOnlySpan<int> chunk, int pastLength) => _prefillLogits;

    public ReadOnlySpan<float> Decode(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths) => _logits.AsSpan(0, rows * VocabSize);

    public ReadOnlySpan<float> Step(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts, ReadOnlySpan<int> pastLengths, ReadOnlySpan<int> logitCounts = default)
    {
        for (var row = 0; row < rows; row++)
        {
            StepAdapters[Steps] |= counts[row] > 0 ? 1L << (_adapters[row] + 1) : 0;
        }

        Steps++;
        return _logits.AsSpan(0, rows * VocabSize);
    }

    public void Dispose()
    {
    }
}
