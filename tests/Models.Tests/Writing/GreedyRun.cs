namespace Ember.Models.Tests.Writing;

/// <summary>The result of one greedy run.</summary>
/// <param name="Tokens">The generated ids, prompt excluded.</param>
/// <param name="IsDone">Whether the generator said it was done.</param>
/// <param name="LastToken">The last id the generator picked (<c>&lt;/s&gt;</c> when it ended a sequence), -1 if none.</param>
internal sealed record GreedyRun(int[] Tokens, bool IsDone, int LastToken);
