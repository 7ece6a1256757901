namespace Ember.Runtime.Scheduling;

/// <summary>
/// Which tokens each cache slot's KV entries hold, so that a new request can take the free slot whose retained tokens
/// share the longest prefix with its prompt and prefill only the rest (prefix caching).
/// </summary>
/// <remarks>
/// <para>
/// A running sequence's slot holds its prompt, then each token a decode step fed; when the sequence ends its tokens
/// stay, valid up to its length, until a request that does not share them takes the slot. Only exact prefixes match:
/// the shared positions hold the same tokens at the same places, computed by the same model, so a hit's output is the
/// cold output. A slot whose sequence failed keeps nothing.
/// </para>
/// <para>Scheduler thread only; not thread-safe.</para>
/// </remarks>
internal sealed class SlotHistory
{
    /// <summary>The fewest shared tokens for which a request takes a slot other than the lowest free one.</summary>
    public const int MinimumSharedTokens = 16;

    private readonly int[][] _tokens;
    private readonly int[] _retained;
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
    }

    /// <summary>Gets a value indicating whether prefix caching is on.</summary>
    public bool Enabled => _enabled;

    /// <summary>Tokens whose entries a free slot still holds (0 for a busy slot or with caching off).</summary>
    public int Retained(int slot) => _retained[slot];

    /// <summary>
    /// The free slot a prompt should take, and how many of its first tokens that slot already holds: the one sharing
    /// the longest prefix when that is at least <see cref="MinimumSharedTokens"/>, otherwise the lowest free slot
    /// (which keeps decode steps narrow: a step runs every slot up to the highest busy one). At least the prompt's last
    /// token is always left to prefill, for its logits.
    /// </summary>
    /// <param name="prompt">The prompt's tokens.</param>
    /// <param name="free">Which slots are free.</param>
    /// <returns>The slot, or −1 when none is free, and the shared tokens.</returns>
    public (int Slot, int Shared) Choose(ReadOnlySpan<int> prompt, ReadOnlySpan<bool> free)
    {
        var lowest = free.IndexOf(true);
        if (!_enabled || lowest < 0)
        {
            return (lowest, 0);
        }

        var (best, bestShared) = (lowest, 0);
        for (var slot = lowest; slot < free.Length; slot++)
        {
            if (!free[slot] || _retained[slot] == 0)
            {
                continue;
            }

            var limit = Math.Min(Math.Min(_retained[slot], prompt.Length - 1), _tokens[slot].Length);
            var shared = prompt[..limit].CommonPrefixLength(_tokens[slot].AsSpan(0, limit));
            if (shared > bestShared)
            {
                (best, bestShared) = (slot, shared);
            }
        }

        return bestShared >= MinimumSharedTokens ? (best, bestShared) : (lowest, 0);
    }

    /// <summary>A sequence takes the slot: its prompt is what the slot will hold, and nothing is retained for others meanwhile.</summary>
    public void Begin(int slot, ReadOnlySpan<int> prompt)
    {
        _retained[slot] = 0;
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

    /// <summary>The slot's entries cannot be trusted (its sequence failed): nothing is kept.</summary>
    public void Forget(int slot) => _retained[slot] = 0;
}
