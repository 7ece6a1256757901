using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ember.Models.Chat;
using Ember.Runtime.Engine;
using Ember.Runtime.Structured;

namespace Ember.Benchmark;

/// <summary>
/// The structured-output mask's cost (<c>--mask-cost</c>): one row's token mask per step, on synthetic vocabularies of
/// real sizes (byte tokens, JSON punctuation, and word pieces with and without a leading space, as BPE vocabularies
/// have) and, with <c>--tokenizer</c>, on that real tokenizer's vocabulary, along a seeded walk that generates a schema's
/// value byte by byte; one core, the mean and p99 per step. The rows marked <c>tools</c> walk the tool-call grammar
/// (two tools, parallel calls) instead, at 32k and on the real vocabulary.
/// </summary>
internal static class MaskCost
{
    private const string Schema = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}},
         "address":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string"}},"required":["city","zip"],"additionalProperties":false},
         "kind":{"enum":["person","company"]},"score":{"type":"number"}},
         "required":["name","age","tags","address","kind","score"],"additionalProperties":false}
        """;

    // Two tools, as a chat request gives them: the calls' grammar is an array of {name, arguments} under these schemas.
    private const string WeatherParameters = """
        {"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]},"days":{"type":"integer"}},"required":["city","unit","days"],"additionalProperties":false}
        """;

    /// <summary>Measures the synthetic vocabularies, then the real one in <paramref name="tokenizerFolder"/> when given.</summary>
    /// <param name="tokenizerFolder">A folder holding a <c>tokenizer.json</c> (such as Llama 2's from scripts/real-tokenizers/fetch.sh); null: synthetic only.</param>
    public static int Run(string? tokenizerFolder = null)
    {
        using var schema = JsonDocument.Parse(Schema);
        var constraint = JsonSchemaCompiler.Compile(schema.RootElement);
        using var weather = JsonDocument.Parse(WeatherParameters);
        // What ToolCallConstraint applies after the [TOOL_CALLS] marker (the marker itself is a literal): parallel calls.
        var calls = ToolCallGrammar.Compile([new ChatTool("get_weather", null, weather.RootElement), new ChatTool("get_time", null, schema.RootElement)], null, parallel: true);
        var text = new StringBuilder();
        text.AppendLine("Structured-output mask cost: one row's mask per step, one core, along a seeded walk through a value of a 6-property schema (strings, integer, number, enum, array, nested object)");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"vocabulary",-16} {"tokens",7} {"trie nodes",10} {"steps",6} {"allowed avg",11} {"mean ms",8} {"p99 ms",8} {"max ms",8}"));
        foreach (var size in new[] { 1_024, 32_000, 50_000, 128_000 })
        {
            var vocabulary = Vocabulary(size);
            text.AppendLine(Measure("synthetic", constraint, vocabulary, new TokenMask(vocabulary.Length, id => vocabulary[id], _ => false)));
            if (size == 32_000)
            {
                text.AppendLine(Measure("synthetic tools", calls, vocabulary, new TokenMask(vocabulary.Length, id => vocabulary[id], _ => false)));
            }
        }

        if (tokenizerFolder is not null)
        {
            // As the runtime builds it (TokenMask.Of): the tokenizer's bytes, special tokens (the end of sequence among them) left out.
            var real = TokenVocabulary.Read(tokenizerFolder);
            var vocabulary = Enumerable.Range(0, real.Count).Select(id => real.IsSpecial(id) ? [] : real.BytesOf(id).ToArray()).ToArray();
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(tokenizerFolder));
            text.AppendLine(Measure(name, constraint, vocabulary, new TokenMask(vocabulary.Length, id => vocabulary[id], real.IsSpecial)));
            text.AppendLine(Measure(name + " tools", calls, vocabulary, new TokenMask(vocabulary.Length, id => vocabulary[id], real.IsSpecial)));
        }

        Console.WriteLine(text.ToString());
        return 0;
    }

    /// <summary>One row: the mask of <paramref name="vocabulary"/> along the seeded walk.</summary>
    private static string Measure(string name, JsonGrammar constraint, byte[][] vocabulary, TokenMask mask)
    {
        var allowed = new bool[vocabulary.Length];
        var random = new Random(7);
        var state = constraint.Start;
        var times = new List<double>();
        long allowedTotal = 0;
        for (var step = 0; step < 400 && !constraint.IsFinal(state); step++)
        {
            var started = Stopwatch.GetTimestamp();
            var count = mask.Fill(constraint, state, allowed);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            allowedTotal += count;
            if (count == 0)
            {
                break;
            }

            // Take a random allowed token, preferring short ones so the walk ends.
            var pick = Pick(allowed, vocabulary, random);
            foreach (var b in vocabulary[pick])
            {
                state = constraint.Advance(state, b)!;
            }
        }

        times.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"{name,-16} {vocabulary.Length,7} {mask.Nodes,10} {times.Count,6} {allowedTotal / Math.Max(1, times.Count),11} {times.Average(),8:F3} {times[(int)(times.Count * 0.99)],8:F3} {times[^1],8:F3}");
    }

    private static int Pick(bool[] allowed, byte[][] vocabulary, Random random)
    {
        var candidates = new List<int>();
        for (var id = 0; id < allowed.Length; id++)
        {
            if (allowed[id])
            {
                candidates.Add(id);
            }
        }

        var shortOnes = candidates.Where(id => vocabulary[id].Length <= 2).ToList();
        var from = shortOnes.Count > 0 && random.Next(3) > 0 ? shortOnes : candidates;
        return from[random.Next(from.Count)];
    }

    /// <summary>A synthetic BPE-like vocabulary: the 256 bytes, JSON punctuation pieces, then word pieces.</summary>
    private static byte[][] Vocabulary(int size)
    {
        var tokens = new List<byte[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++)
        {
            tokens.Add([(byte)b]);
            seen.Add(Encoding.Latin1.GetString([(byte)b]));
        }

        foreach (var piece in new[] { "{\"", "\":", "\",\"", "\":\"", "\"}", "\"]", "[\"", "},", "],", ":[", ":{", "\",", "null", "true", "false", "0.", "00", "12", "e+" })
        {
            if (seen.Add(piece))
            {
                tokens.Add(Encoding.UTF8.GetBytes(piece));
            }
        }

        const string letters = "etaoinshrdlcumwfgypbvkjxqz";
        var random = new Random(11);
        while (tokens.Count < size)
        {
            var length = 1 + random.Next(8);
            var word = new StringBuilder(random.Next(2) == 0 ? " " : string.Empty);
            for (var i = 0; i < length; i++)
            {
                word.Append(letters[Math.Min(letters.Length - 1, (int)(random.NextDouble() * random.NextDouble() * letters.Length))]);
            }

            if (seen.Add(word.ToString()))
            {
                tokens.Add(Encoding.UTF8.GetBytes(word.ToString()));
            }
        }

        return [.. tokens];
    }
}
