namespace Ember.Host.Wire;

/// <summary>One model in the <c>models/search</c> result, in Cloudflare's shape.</summary>
/// <param name="Id">A stable GUID derived from the model's name.</param>
/// <param name="Source">1 for <c>@cf/</c> models, 2 for <c>@hf/</c> models, 3 for Ember's own.</param>
/// <param name="Name">The model id, such as <c>@cf/meta/llama-2-7b-chat-int8</c>.</param>
/// <param name="Description">The catalog description.</param>
/// <param name="Task">The model's task.</param>
/// <param name="Tags">Tags; none are defined.</param>
/// <param name="Properties">The model's limits and whether it is installed, as strings.</param>
public sealed record ModelSearchItem(
    string Id,
    int Source,
    string Name,
    string Description,
    ModelTask Task,
    IReadOnlyList<string> Tags,
    IReadOnlyList<ModelProperty> Properties);
