using Ember.Runtime.Options;

namespace Ember.Runtime.Scheduling;

/// <summary>What a <see cref="StepPlanner"/> plans with.</summary>
/// <param name="MixedSteps">Whether a step is one call carrying decode tokens and prompt chunks together (<see cref="StepTokens"/>); else prompt chunks run in calls of their own before a decode step (<see cref="PrefillChunkTokens"/>).</param>
/// <param name="StepTokens">Mixed steps: the token budget of a step, decode tokens first.</param>
/// <param name="PrefillChunkTokens">Separate steps: the prompt tokens prefilled before a decode step.</param>
/// <param name="ChunkedPrefill">Whether a prompt may go in in chunks; when false, separate steps take each prompt whole.</param>
/// <param name="PrefixCaching">Whether finished sequences' entries are kept for later prompts (<see cref="SlotHistory"/>).</param>
/// <param name="Retention">Which free slot a request takes, and whether kept histories are moved to keep steps narrow.</param>
/// <param name="EosTokenId">The end-of-sequence token.</param>
/// <param name="SpeculativeTokens">Mixed steps whose decoder verifies: the most tokens a greedy sequence drafts a step (n-gram speculation, <see cref="NgramDrafter"/>); 0: none.</param>
internal sealed record PlannerSettings(bool MixedSteps, int StepTokens, int PrefillChunkTokens, bool ChunkedPrefill, bool PrefixCaching, SlotRetention Retention, int EosTokenId, int SpeculativeTokens = 0)
{
    /// <summary>Gets whether rows of any LoRA adapters run in one step, or one adapter's rows a step (<see cref="LoraBatching.Groups"/>).</summary>
    public LoraBatching LoraBatching { get; init; } = LoraBatching.PerRow;
}
