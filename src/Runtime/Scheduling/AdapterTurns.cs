namespace Ember.Runtime.Scheduling;

/// <summary>
/// <see cref="Options.LoraBatching.Groups"/>: which adapter's rows the next step runs. The sequences of one adapter
/// form a group, those of no adapter one more; of the groups holding a slot, the one that has waited longest since it
/// last ran, or since it came to hold a slot, runs next. Between two turns of a group every other group runs at most
/// once, so a group holding a slot runs at least once in any G steps, G being the groups holding slots (at most the
/// adapters served + 1, and at most the cap).
/// </summary>
/// <remarks>Owned by one <see cref="StepPlanner"/>; scheduler thread only. Allocates only when an adapter beyond those seen joins.</remarks>
internal sealed class AdapterTurns
{
    /// <summary>The group of a step that runs every row (<see cref="Options.LoraBatching.PerRow"/>, or nothing holds a slot).</summary>
    public const int Every = int.MinValue;

    /// <summary>Per group (adapter + 1): the event (a turn, or coming to hold a slot) it has waited since; lower waited longer.</summary>
    private long[] _waitingSince = new long[8];
    private long _clock;

    /// <summary>Whether <paramref name="sequence"/> runs in a step of <paramref name="group"/>.</summary>
    public static bool Runs(SlotSequence sequence, int group) => group == Every || sequence.Request.Adapter == group;

    /// <summary>
    /// <paramref name="slot"/> has just been given a sequence: when no other slot holds one of its adapter, its group
    /// starts waiting now, behind every group already holding a slot.
    /// </summary>
    public void Joined(SlotSequence?[] slots, int slot)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var adapter = slots[slot]!.Request.Adapter;
        for (var other = 0; other < slots.Length; other++)
        {
            if (other != slot && slots[other] is { } sequence && sequence.Request.Adapter == adapter)
            {
                return;
            }
        }

        if (adapter + 1 >= _waitingSince.Length)
        {
            Array.Resize(ref _waitingSince, Math.Max(adapter + 2, _waitingSince.Length * 2));
        }

        _waitingSince[adapter + 1] = ++_clock;
    }

    /// <summary>
    /// Takes the turn of the group that has waited longest among those holding a slot (those decoding, when
    /// <paramref name="decodingOnly"/>), and returns its adapter (-1: none); <see cref="Every"/> when there is none.
    /// </summary>
    public int Next(SlotSequence?[] slots, bool decodingOnly)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var group = Every;
        foreach (var sequence in slots)
        {
            if (sequence is null || (decodingOnly && sequence.IsPrefilling))
            {
                continue;
            }

            var adapter = sequence.Request.Adapter;
            if (group == Every || _waitingSince[adapter + 1] < _waitingSince[group + 1])
            {
                group = adapter;
            }
        }

        if (group != Every)
        {
            _waitingSince[group + 1] = ++_clock;
        }

        return group;
    }
}
