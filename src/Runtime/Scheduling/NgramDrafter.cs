namespace Ember.Runtime.Scheduling;

/// <summary>
/// Prompt-lookup drafting (n-gram speculation, as vLLM's <c>ngram</c> proposer and llama.cpp's lookup decoding): for a
/// sequence whose last <c>n</c> tokens (<see cref="LongestNgram"/> down to <see cref="ShortestNgram"/>) occur earlier in
/// its own context, prompt and generated tokens, the tokens that followed their most recent earlier occurrence are
/// the draft. Where that occurrence runs into the end of the context (a loop shorter than the draft), the draft goes
/// on repeating it.
/// </summary>
/// <remarks>Scheduler thread only; one context buffer of the slot's length a slot, allocated when speculation is on.</remarks>
internal sealed class NgramDrafter
{
    /// <summary>The longest suffix looked up.</summary>
    public const int LongestNgram = 4;

    /// <summary>The shortest suffix looked up: a single token's last occurrence predicts too little to be worth a verification.</summary>
    public const int ShortestNgram = 2;

    private readonly int[][] _context;
    private readonly int[] _lengths;

    /// <summary>Creates the contexts of <paramref name="slots"/> slots of <paramref name="maxLength"/> tokens.</summary>
    public NgramDrafter(int slots, int maxLength)
    {
        _context = [.. Enumerable.Range(0, slots).Select(_ => new int[maxLength])];
        _lengths = new int[slots];
    }

    /// <summary>A sequence takes the slot: its context is its prompt.</summary>
    public void Begin(int slot, ReadOnlySpan<int> prompt)
    {
        var length = Math.Min(prompt.Length, _context[slot].Length);
        prompt[..length].CopyTo(_context[slot]);
        _lengths[slot] = length;
    }

    /// <summary>The slot's sequence picked <paramref name="token"/>.</summary>
    public void Append(int slot, int token)
    {
        if (_lengths[slot] < _context[slot].Length)
        {
            _context[slot][_lengths[slot]++] = token;
        }
    }

    /// <summary>
    /// Writes up to <paramref name="draft"/>'s length tokens that would follow the slot's context, and returns how many
    /// (0 when no suffix of <see cref="ShortestNgram"/> tokens or more occurs earlier).
    /// </summary>
    public int Draft(int slot, Span<int> draft)
    {
        if (draft.IsEmpty)
        {
            return 0;
        }

        var context = _context[slot].AsSpan(0, _lengths[slot]);
        for (var n = Math.Min(LongestNgram, context.Length - 1); n >= ShortestNgram; n--)
        {
            var suffix = context[^n..];
            var start = context[..^1].LastIndexOf(suffix);
            if (start < 0)
            {
                continue;
            }

            // The tokens after the occurrence; past the context's end the occurrence overlaps the suffix, a loop, which the draft repeats.
            var from = start + n;
            for (var j = 0; j < draft.Length; j++)
            {
                var index = from + j;
                draft[j] = index < context.Length ? context[index] : draft[index - context.Length];
            }

            return draft.Length;
        }

        return 0;
    }
}
