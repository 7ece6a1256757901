namespace Ember.Runtime.Scheduling;

/// <summary>Part of a prompt a step runs into its slot.</summary>
/// <param name="Slot">The slot.</param>
/// <param name="Start">The position of its first token: the entries before it are in the cache.</param>
/// <param name="Count">Its tokens.</param>
/// <param name="CompletesPrompt">Whether it is the prompt's last chunk: its logits give the first token.</param>
internal readonly record struct PrefillChunk(int Slot, int Start, int Count, bool CompletesPrompt);
