using System.Text.Json.Nodes;
using Ember.Runtime.Engine;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Tests.Scheduling;

/// <summary>The tokenizer of <see cref="ScriptedDecoder"/>'s vocabulary: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, then <c>▁w3</c>, <c>▁w4</c>…, read as a <c>tokenizer.json</c>.</summary>
internal sealed class ScriptedTokenizer : ISequenceTokenizer
{
    public static ScriptedTokenizer Instance { get; } = new();

    private ScriptedTokenizer()
    {
        var folder = Directory.CreateTempSubdirectory("ember-scripted-tokenizer").FullName;
        try
        {
            var vocab = new JsonObject();
            var added = new JsonArray();
            foreach (var (special, id) in new[] { ("<unk>", 0), ("<s>", 1), ("</s>", 2) })
            {
                vocab[special] = id;
                added.Add(new JsonObject { ["id"] = id, ["content"] = special, ["special"] = true });
            }

            for (var id = 3; id < ScriptedDecoder.Vocabulary; id++)
            {
                vocab[Word(id)] = id;
            }

            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), new JsonObject { ["model"] = new JsonObject { ["vocab"] = vocab }, ["added_tokens"] = added }.ToJsonString());
            Vocabulary = TokenVocabulary.Read(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public int EosTokenId => ScriptedDecoder.Eos;

    public TokenVocabulary Vocabulary { get; }

    TokenVocabulary? ISequenceTokenizer.Vocabulary => Vocabulary;

    public Ember.Runtime.Structured.TokenMask? TokenMask => null;

    public string? VocabularyError => null;

    /// <summary>The text of a word token.</summary>
    public static string Word(int id) => $"▁w{id}";

    /// <summary>The text <paramref name="tokens"/> decode to.</summary>
    public static string Text(IEnumerable<int> tokens) => string.Concat(tokens.Select(Word)).Replace('▁', ' ');

    public TokenTextStream CreateStream() => new(Vocabulary);
}
