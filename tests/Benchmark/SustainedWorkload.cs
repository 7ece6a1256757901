namespace Ember.Benchmark;

/// <summary>
/// The requests of the sustained-load mode, drawn from a seeded generator so two runs send the same mix: prompts of
/// about 4–160 tokens (BOS and 3–159 common words), 16–215 tokens to generate, and one request in
/// <c>abandonEvery</c> abandoned after a random part of its tokens.
/// </summary>
/// <remarks>One instance per client stream; not thread-safe.</remarks>
internal sealed class SustainedWorkload
{
    private const int FewestWords = 3;
    private const int MostWords = 159;
    private const int FewestTokens = 16;
    private const int MostTokens = 215;

    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with", "his",
        "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what", "all", "were",
        "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do", "how", "their", "if",
        "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some", "her", "would", "make",
        "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see", "number", "no", "way", "could",
        "people", "my", "than", "first", "water", "been", "call", "who", "oil", "its", "now", "find", "long", "down", "day",
    ];

    private readonly Random _random;
    private readonly int _abandonEvery;

    public SustainedWorkload(int seed, int abandonEvery)
    {
        _random = new Random(seed);
        _abandonEvery = abandonEvery;
    }

    /// <summary>The next request: its prompt, its <c>max_tokens</c>, and after how many tokens its client leaves (null: never).</summary>
    public (string Prompt, int MaxTokens, int? AbandonAfter) Next()
    {
        var words = _random.Next(FewestWords, MostWords + 1);
        var prompt = string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[_random.Next(Words.Length)]));
        var maxTokens = _random.Next(FewestTokens, MostTokens + 1);
        int? abandonAfter = _abandonEvery > 0 && _random.Next(_abandonEvery) == 0 ? _random.Next(1, (maxTokens / 2) + 1) : null;
        return (prompt, maxTokens, abandonAfter);
    }
}
