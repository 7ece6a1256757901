namespace Ember.Host.Batch;

/// <summary>An item's outcome.</summary>
/// <param name="Success">Whether it ran to a result.</param>
/// <param name="Result">The JSON the interactive request would have answered: the run result (<c>{response, usage}</c>) on success, the error (<c>{code, message}</c>) otherwise.</param>
public sealed record BatchItemResult(bool Success, string Result);
