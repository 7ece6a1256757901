namespace Ember.Host.Wire;

/// <summary>A file uploaded to a fine-tune (<c>finetune-assets</c>): <c>{"id","finetune_id","file_name","created_at","modified_at"}</c>.</summary>
/// <param name="Id">The upload's own id.</param>
/// <param name="FinetuneId">The fine-tune it belongs to.</param>
/// <param name="FileName"><c>adapter_config.json</c> or <c>adapter_model.safetensors</c>.</param>
/// <param name="CreatedAt">When it was stored (ISO 8601, UTC, milliseconds).</param>
/// <param name="ModifiedAt">The same as <paramref name="CreatedAt"/>: a stored file is never changed, only replaced by another upload.</param>
public sealed record FinetuneAssetItem(string Id, string FinetuneId, string FileName, string CreatedAt, string ModifiedAt);
