namespace Ember.Runtime.Scheduling;

/// <summary>A copy of a slot's first cache entries into another slot, which the planner asks of the executor.</summary>
/// <param name="From">The slot copied from.</param>
/// <param name="To">The slot copied into.</param>
/// <param name="Tokens">How many entries, from the first.</param>
internal readonly record struct KvCopy(int From, int To, int Tokens);
