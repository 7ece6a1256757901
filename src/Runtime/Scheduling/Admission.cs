namespace Ember.Runtime.Scheduling;

/// <summary>
/// The planner's decision for one request taken from the queue: the slot it runs in and the cache copies to run first,
/// in order.
/// </summary>
/// <param name="Slot">The slot it takes.</param>
/// <param name="Request">The request.</param>
/// <param name="Evacuation">The slot's kept history moved first into a slot holding a less recently used one, or <see langword="null"/>.</param>
/// <param name="Reuse">The entries of the prompt's longest cached prefix copied into the slot, or <see langword="null"/> (none, or already there).</param>
internal readonly record struct Admission(int Slot, SequenceRequest Request, KvCopy? Evacuation, KvCopy? Reuse);
