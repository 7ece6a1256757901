namespace Ember.Host.Wire;

/// <summary>A Workers AI task, as the model search writes it.</summary>
/// <param name="Id">The task's GUID.</param>
/// <param name="Name">The task's name, such as <c>Text Generation</c>.</param>
/// <param name="Description">What the task does.</param>
public sealed record ModelTask(string Id, string Name, string Description);
