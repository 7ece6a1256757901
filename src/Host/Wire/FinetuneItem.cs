using System.Text.Json.Serialization;

namespace Ember.Host.Wire;

/// <summary>A fine-tune as the finetunes API answers it: <c>{"id","name","description","model","public","created_at","modified_at"}</c>.</summary>
/// <param name="Id">Its id (128 random bits, in UUID form).</param>
/// <param name="Name">The name requests pick it by (<c>lora</c>, <c>model:name</c>).</param>
/// <param name="Description">Its description; left out when none was given.</param>
/// <param name="Model">The model it adapts.</param>
/// <param name="Public">Whether every account may use it and <c>finetunes/public</c> lists it.</param>
/// <param name="CreatedAt">When it was created (ISO 8601, UTC, milliseconds).</param>
/// <param name="ModifiedAt">When a file of it was last uploaded (as <paramref name="CreatedAt"/> before any).</param>
public sealed record FinetuneItem(
    string Id,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    string Model,
    bool Public,
    string CreatedAt,
    string ModifiedAt);
