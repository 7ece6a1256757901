using Ember.Runtime.Engine;

namespace Ember.Runtime.Scheduling;

/// <summary>What turns a slot's logits into its request's text: its sampler and its detokenizer.</summary>
/// <param name="Stream">Turns its tokens into whole UTF-8 characters; released when the slot is freed.</param>
/// <param name="Sampler">Picks its tokens.</param>
/// <remarks>Scheduler thread only.</remarks>
internal sealed record SlotOutput(TokenTextStream Stream, TokenSampler Sampler);
