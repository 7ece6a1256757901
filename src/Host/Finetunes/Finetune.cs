namespace Ember.Host.Finetunes;

/// <summary>A fine-tune as it is stored (<c>finetune.json</c> in its folder): who made it, for which model, under which name.</summary>
/// <param name="Id">Its id: 128 random bits in UUID form; also the name the runtime serves its adapter by.</param>
/// <param name="Name">The name its account's requests pick it by (<c>lora</c>, <c>model:name</c>).</param>
/// <param name="Description">Its description, or <see langword="null"/>.</param>
/// <param name="Model">The catalog id of the model it adapts.</param>
/// <param name="Public">Whether every account may use it and <c>finetunes/public</c> lists it.</param>
/// <param name="AccountId">The account id of the path that created it.</param>
/// <param name="Owner">A digest of the bearer token that created it (as the batch API's), or <see langword="null"/> without authentication.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ModifiedAt">When a file of it was last stored.</param>
public sealed record Finetune(
    string Id,
    string Name,
    string? Description,
    string Model,
    bool Public,
    string AccountId,
    string? Owner,
    DateTimeOffset CreatedAt,
    DateTimeOffset ModifiedAt);
