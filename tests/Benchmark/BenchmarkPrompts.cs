namespace Ember.Benchmark;

/// <summary>Fixed prompts of mixed lengths, handed out round-robin so every mode serves the same requests.</summary>
internal static class BenchmarkPrompts
{
    private static readonly string[] Prompts =
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

    public static string For(int index) => Prompts[index % Prompts.Length];
}
