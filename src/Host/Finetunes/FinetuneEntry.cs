namespace Ember.Host.Finetunes;

/// <summary>A fine-tune and where its upload stands.</summary>
/// <param name="Finetune">The fine-tune.</param>
/// <param name="HasConfig">Whether <c>adapter_config.json</c> is stored.</param>
/// <param name="HasWeights">Whether <c>adapter_model.safetensors</c> is stored.</param>
/// <param name="Served">Whether its model serves it (both files stored and checked, and added to the running model).</param>
public sealed record FinetuneEntry(Finetune Finetune, bool HasConfig, bool HasWeights, bool Served);
