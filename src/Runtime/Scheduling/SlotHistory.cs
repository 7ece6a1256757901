using Ember.Runtime.Options;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Which tokens each cache slot's KV entries hold, so that a new request can reuse the entries of the slot whose tokens
/// share the longest prefix with its prompt, copied into its own slot, and prefill only the rest (prefix caching).
/// </summary>
/// <remarks>
/// <para>
/// A running sequence's slot holds its prompt, then each token a decode step fed; when the sequence ends its tokens
/// stay, valid up to its length, until a request that does not share them takes the slot. Only exact prefixes match:
/// the shared positions hold the same tokens at the same places, computed by the same model, so a hit's output is the
/// cold output; so a slot's entries match only a prompt of the same LoRA adapter, whose k/v projections made them. A
/// slot whose sequence failed keeps nothing.
/// </para>
/// <para>Scheduler thread only; not thread-safe.</para>
/// </remarks>
internal sealed class SlotHistory
{
    /// <summary>The fewest shared tokens worth a copy of their entries.</summary>
    public const int MinimumSharedTokens = 16;

    private readonly int[][] _tokens;
    private readonly int[] _retained;
    private readonly int[] _adapters;
    private readonly bool _enabled;

    /// <summary>Creates the history of <paramref name="slots"/> slots of <paramref name="maxLength"/> tokens.</summary>
    /// <param name="slots">Cache slots.</param>
    /// <param name="maxLength">Tokens a slot holds.</param>
    /// <param name="enabled">Whether finished sequences' entries are kept and matched (the model's <c>PrefixCaching</c>).</param>
    public SlotHistory(int slots, int maxLength, bool enabled)
    {
        _enabled = enabled;
        _tokens = enabled ? [.. Enumerable.Range(0, slots).Select(_ => new int[maxLength])] : [];
        _retained = new int[slots];
        _adapters = new int[slots];
    }

    /// <summary>Gets a value indicating whether prefix caching is on.</summary>
    public bool Enabled => _enabled;

    /// <summary>Tokens whose entries a free slot still holds (0 for a busy slot or with caching off).</summary>
    public int Retained(int slot) => _retained[slot];

    /// <summary>
    /// Where a prompt's first tokens already are: the slot, free or busy, whose entries share the longest prefix with
    /// it, when that is at least <see cref="MinimumSharedTokens"/>; the planner decides where the prompt runs (see
    /// <see cref="SlotRetention"/>). At least the prompt's last token is always left to prefill, for its logits.
    /// </summary>
    /// <param name="prompt">The prompt's tokens.</param>
    /// <param name="valid">Per slot, how many of its tokens have entries: a busy slot's length, a free slot's <see cref="Retained"/>.</param>
    /// <param name="adapter">The prompt's LoRA adapter (-1: none): only entries made with it match.</param>
    /// <returns>The slot to copy from (−1: none) and the tokens shared.</returns>
    public (int Source, int Shared) Find(ReadOnlySpan<int> prompt, ReadOnlySpan<int> valid, int adapter = -1)
    {
        if (!_enabled)
        {
            return (-1, 0);
        }

        var (best, bestShared) = (-1, 0);
        for (var slot = 0; slot < valid.Length; slot++)
        {
            var limit = Math.Min(Math.Min(valid[slot], prompt.Length - 1), _tokens[slot].Length);
            if (limit <= bestShared || _adapters[slot] != adapter)
            {
                continue;
            }

            var shared = prompt[..limit].CommonPrefixLength(_tokens[slot].AsSpan(0, limit));
            if (shared > bestShared)
            {
                (best, bestShared) = (slot, shared);
            }
        }

        return bestShared >= MinimumSharedTokens ? (best, bestShared) : (-1, 0);
    }

    /// <summary>A sequence takes the slot: its prompt is what the slot will hold (made with <paramref name="adapter"/>), and nothing is retained for others meanwhile.</summary>
    public void Begin(int slot, ReadOnlySpan<int> prompt, int adapter = -1)
    {
        _retained[slot] = 0;
        _adapters[slot] = adapter;
        if (_enabled)
        {
            prompt.CopyTo(_tokens[slot]);
        }
    }

    /// <summary>A decode step fed <paramref name="token"/> at <paramref name="position"/> of the slot's sequence.</summary>
    public void Fed(int slot, int position, int token)
    {
        if (_enabled && position < _tokens[slot].Length)
        {
            _tokens[slot][position] = token;
        }
    }

    /// <summary>The slot's sequence ended with <paramref name="length"/> entries written: they stay for a later prompt.</summary>
    /// <remarks>One entry short of the slot's end at most, so that a decode step's throw-away row for the free slot writes past what is kept.</remarks>
    public void Retain(int slot, int length)
    {
        if (_enabled)
        {
            _retained[slot] = Math.Clamp(length, 0, _tokens[slot].Length - 1);
        }
    }

    /// <summary>The slot's entries cannot be trusted (its sequence failed), or have moved: nothing is kept.</summary>
    public void Forget(int slot) => _retained[slot] = 0;

    /// <summary>The free slot <paramref name="from"/>'s kept entries were copied into the free slot <paramref name="to"/>, which keeps them now.</summary>
    public void Move(int from, int to)
    {
        if (_enabled)
        {
            _tokens[from].AsSpan(0, _retained[from]).CopyTo(_tokens[to]);
            _retained[to] = _retained[from];
            _adapters[to] = _adapters[from];
        }
    }

    /// <summary>Gets how many slots keep entries for a later prompt.</summary>
    public int Kept
    {
        get
        {
            var kept = 0;
            foreach (var retained in _retained)
            {
                kept += retained > 0 ? 1 : 0;
            }

            return kept;
        }
    }
}
