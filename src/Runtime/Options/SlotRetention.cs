namespace Ember.Runtime.Options;

/// <summary>
/// Which free slot of the continuous scheduler's cache a new request takes when no free slot holds a prefix of its
/// prompt in place (prefix caching): whose kept history it overwrites, and whether the decode step widens for it.
/// </summary>
/// <remarks>A step runs every slot up to the highest busy one, so a request in a high slot makes every step wider while it runs.</remarks>
public enum SlotRetention
{
    /// <summary>
    /// The history used least recently is the one given up, and steps are kept narrow where that costs only a copy: a
    /// request runs in the lowest free slot, whose own history is first moved (a KV copy) into the free slot holding
    /// the least recently used history, or none; a hit on a free slot above the busy ones is moved down into the lowest
    /// free slot when an empty slot can take the lowest one's history, and otherwise runs where it lies (moving it
    /// would give up another history). With every slot keeping a history, hits widen steps as <see cref="Widen"/> does.
    /// </summary>
    Move,

    /// <summary>
    /// The history used least recently is the one given up, and the request runs where it lies: a hit in place, a
    /// miss in the free slot holding the least recently used history (an empty slot first). No copies; a step may
    /// run idle rows up to the highest busy slot.
    /// </summary>
    Widen,

    /// <summary>
    /// A miss takes the lowest free slot and overwrites what it holds (a hit in a higher free slot is copied down), so
    /// at low concurrency only the last conversation is kept.
    /// </summary>
    Lowest,
}
