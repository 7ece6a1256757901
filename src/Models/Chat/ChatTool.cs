using System.Text.Json;

namespace Ember.Models.Chat;

/// <summary>A tool (a function) the model may call.</summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
/// <param name="Name">The function's name.</param>
/// <param name="Description">What it does, for the model; <see langword="null"/>: none given.</param>
/// <param name="Parameters">The JSON Schema of its arguments (a detached element); <see langword="null"/>: no arguments.</param>
public sealed record ChatTool(string Name, string? Description, JsonElement? Parameters);
