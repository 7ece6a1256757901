using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Runtime.Engine;

namespace Ember.Benchmark;

/// <summary>
/// The prompts every mode serves, handed out round-robin so every mode serves the same requests: fixed prompts of mixed
/// lengths, or (<c>--prompt-tokens</c>) prompts of exactly the given token counts once the model's chat template is
/// applied, to match another server's prompt sizes.
/// </summary>
internal static class BenchmarkPrompts
{
    private static readonly string[] Mixed =
    [
        "Hello.",
        "Tell me a story about a cat.",
        "Write a short note to a friend about the weather in the city today and what you plan to do this weekend.",
        "Explain in simple words how a train moves from one station to the next, what the driver does, and why the doors open only on one side.",
        "List three things.",
        "The old house at the end of the road had been empty for many years, and the children of the town said that at night a light moved from room to room. One summer evening two friends decided to find out what it was. Continue the story.",
        "What is the time?",
        "Describe the best way to learn a new language when you have only a little time each day, and give a plan for the first week.",
    ];

    private static string[] _prompts = Mixed;

    /// <summary>Gets the token count of each prompt, when sized; empty for the mixed prompts.</summary>
    public static IReadOnlyList<int> Sizes { get; private set; } = [];

    public static string For(int index) => _prompts[index % _prompts.Length];

    /// <summary>Makes the prompts exactly <paramref name="sizes"/> tokens long on the model in <paramref name="folder"/>, template included.</summary>
    /// <exception cref="ArgumentException">A size cannot be reached (below the template's own tokens).</exception>
    public static void UseSizes(IReadOnlyList<int> sizes, string folder)
    {
        var template = ChatTemplates.For(ModelCatalog.Get(ModelCatalog.TinyLlamaId).Template);
        using var model = GenAIModel.LoadTokenizer(folder, int.MaxValue);
        int Count(string text) => model.Encode(PromptBuilder.FromPrompt(template, text)).Length;
        var words = string.Join(' ', Mixed).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _prompts = [.. sizes.Select(size => Sized(size, words, Count))];
        Sizes = sizes;
    }

    /// <summary>Words of the mixed prompts in order until the count is reached; a word that overshoots is replaced by shorter ones.</summary>
    private static string Sized(int size, string[] words, Func<string, int> count)
    {
        var parts = new List<string> { "a" };
        var next = 0;
        while (count(string.Join(' ', parts)) < size && parts.Count < size * 2)
        {
            parts.Add(words[next++ % words.Length]);
            if (count(string.Join(' ', parts)) > size)
            {
                parts[^1] = "a";
            }
        }

        var text = string.Join(' ', parts);
        return count(text) == size
            ? text
            : throw new ArgumentException($"--prompt-tokens {size}: no prompt of exactly that many tokens (a one-word prompt has {count("a")}).");
    }
}
