using System.Text;
using System.Text.Json;
using Ember.Runtime.Structured;

namespace Ember.Runtime.Tests.Structured;

public sealed class TokenMaskTests
{
    /// <summary>A vocabulary with every single byte, JSON punctuation, escapes, multi-byte UTF-8 and seeded word pieces.</summary>
    private static byte[][] Vocabulary()
    {
        var tokens = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        foreach (var piece in new[] { "{\"", "\":", "\",\"", "\"}", "[\"", "],", "\\n", "\\\"", "\\u00e9", "é", "日本", "true", "null", "-0.5", "1e", " \"", "\"a", "a\"", "\\" })
        {
            tokens.Add(Encoding.UTF8.GetBytes(piece));
        }

        tokens.Add([0xE6, 0x97]);
        tokens.Add([0xA5]);
        var random = new Random(3);
        for (var i = 0; i < 1500; i++)
        {
            var word = new string([.. Enumerable.Range(0, 1 + random.Next(6)).Select(_ => "abcxyz\" \\:,{}[]019.-e"[random.Next(21)])]);
            tokens.Add(Encoding.UTF8.GetBytes(random.Next(2) == 0 ? " " + word : word));
        }

        return [.. tokens];
    }

    public static TheoryData<string> Schemas => new(JsonGrammarFromSchemaTests.Schemas.Take(12));

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Fill_AlongARandomWalk_AllowsExactlyTheTokensWhoseBytesTheConstraintTakes(string schema)
    {
        var vocabulary = Vocabulary();
        var mask = new TokenMask(vocabulary.Length, id => vocabulary[id], id => id == 0);
        using var document = JsonDocument.Parse(schema);
        var constraint = JsonSchemaCompiler.Compile(document.RootElement);
        var allowed = new bool[vocabulary.Length];
        var random = new Random(schema.Length);
        var state = constraint.Start;
        for (var step = 0; step < 60 && !constraint.IsFinal(state); step++)
        {
            var count = mask.Fill(constraint, state, allowed);

            var expected = Enumerable.Range(0, vocabulary.Length).Where(id => id != 0 && Takes(constraint, state, vocabulary[id]) is not null).ToArray();
            Assert.Equal(expected, Enumerable.Range(0, vocabulary.Length).Where(id => allowed[id]).ToArray());
            Assert.Equal(expected.Length, count);
            if (expected.Length == 0)
            {
                Assert.True(constraint.IsComplete(state));
                break;
            }

            // Prefer short tokens, so the walk reaches the value's end.
            var shortOnes = expected.Where(id => vocabulary[id].Length == 1).ToArray();
            var pick = shortOnes.Length > 0 && random.Next(4) > 0 ? shortOnes[random.Next(shortOnes.Length)] : expected[random.Next(expected.Length)];
            state = Takes(constraint, state, vocabulary[pick])!;
        }
    }

    [Fact]
    public void Fill_ExcludedAndEmptyTokens_AreNeverAllowed()
    {
        byte[][] vocabulary = [[], "{"u8.ToArray(), "{"u8.ToArray(), "x"u8.ToArray()];
        var mask = new TokenMask(vocabulary.Length, id => vocabulary[id], id => id == 2);
        var constraint = JsonGrammar.ForAnyValue(requireObject: true);
        var allowed = new bool[vocabulary.Length];

        var count = mask.Fill(constraint, constraint.Start, allowed);

        Assert.Equal([false, true, false, false], allowed);
        Assert.Equal(1, count);
    }

    private static JsonConstraintState? Takes(JsonGrammar constraint, JsonConstraintState state, byte[] bytes)
    {
        JsonConstraintState? current = state;
        foreach (var b in bytes)
        {
            current = current is null ? null : constraint.Advance(current, b);
        }

        return current;
    }
}
