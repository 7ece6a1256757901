using System.Text.Unicode;
using Ember.Runtime.Engine;

namespace Ember.Runtime.Structured;

/// <summary>
/// Which tokens of a vocabulary may come next under a constraint: a trie of the tokens' bytes, walked from the
/// constraint's state, a branch pruned at the first byte the constraint refuses. Special tokens (no text) are never in
/// it; the end-of-sequence token is the caller's (allowed when the value is complete).
/// </summary>
/// <remarks>
/// What does not depend on the state is computed once: inside a free string every token made only of whole UTF-8
/// characters but the controls (below U+0020), <c>"</c> and <c>\</c> is allowed and changes nothing, so there only the
/// other tokens (a second, small trie: byte tokens, pieces with a quote, a backslash or a control) are walked. On Llama
/// 2's vocabulary that leaves 464 of 32,000 tokens to walk (162 of them byte tokens); counting only ASCII tokens as
/// plain, it left 6,974 (the Cyrillic, CJK and accented pieces). Built once per model; immutable and thread-safe.
/// </remarks>
internal sealed class TokenMask
{
    private readonly ByteTrie _all;
    private readonly ByteTrie _notPlain;
    private readonly int[] _plain;

    /// <summary>Builds the tries of <paramref name="count"/> tokens.</summary>
    /// <param name="count">Token ids 0 .. count − 1.</param>
    /// <param name="bytesOf">A token's bytes.</param>
    /// <param name="excluded">Tokens never allowed (special tokens, the end of sequence).</param>
    public TokenMask(int count, Func<int, byte[]> bytesOf, Func<int, bool> excluded)
    {
        ArgumentNullException.ThrowIfNull(bytesOf);
        ArgumentNullException.ThrowIfNull(excluded);
        Count = count;
        var tokens = new List<(int Id, byte[] Bytes)>();
        for (var token = 0; token < count; token++)
        {
            var bytes = bytesOf(token);
            if (bytes.Length > 0 && !excluded(token))
            {
                tokens.Add((token, bytes));
            }
        }

        _all = new ByteTrie(tokens);
        _plain = [.. tokens.Where(token => IsPlain(token.Bytes)).Select(token => token.Id)];
        _notPlain = new ByteTrie([.. tokens.Where(token => !IsPlain(token.Bytes))]);
    }

    /// <summary>
    /// The mask of a model's vocabulary, as structured output uses it: every token's bytes, with the special tokens and
    /// the end of sequence left out.
    /// </summary>
    /// <param name="vocabulary">The tokenizer's vocabulary.</param>
    /// <param name="eosTokenId">The end-of-sequence token.</param>
    public static TokenMask Of(TokenVocabulary vocabulary, int eosTokenId)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return new TokenMask(vocabulary.Count, id => vocabulary.BytesOf(id).ToArray(), id => id == eosTokenId || vocabulary.IsSpecial(id));
    }

    /// <summary>Gets the token ids the mask covers.</summary>
    public int Count { get; }

    /// <summary>Gets the nodes of the whole vocabulary's trie.</summary>
    public int Nodes => _all.Nodes;

    /// <summary>Marks in <paramref name="allowed"/> every token whose bytes <paramref name="constraint"/> takes from <paramref name="state"/>; clears the rest.</summary>
    /// <returns>How many tokens are allowed.</returns>
    public int Fill(IJsonConstraint constraint, JsonConstraintState state, Span<bool> allowed)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        allowed.Clear();
        if (!constraint.IsInFreeString(state))
        {
            return _all.Walk(constraint, state, allowed);
        }

        foreach (var token in _plain)
        {
            allowed[token] = true;
        }

        return _plain.Length + _notPlain.Walk(constraint, state, allowed);
    }

    /// <summary>Whole UTF-8 characters but the controls below U+0020, <c>"</c> and <c>\</c>: bytes that leave a free string as it is.</summary>
    private static bool IsPlain(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            if (b is < 0x20 or (byte)'"' or (byte)'\\')
            {
                return false;
            }
        }

        return Utf8.IsValid(bytes);
    }

    /// <summary>A trie of token bytes, flattened into arrays.</summary>
    private sealed class ByteTrie
    {
        // Node n's edges are _edgeBytes/_edgeTargets[_firstEdge[n] .. _firstEdge[n + 1]), its tokens _tokens[_firstToken[n] .. _firstToken[n + 1]).
        private readonly int[] _firstEdge;
        private readonly byte[] _edgeBytes;
        private readonly int[] _edgeTargets;
        private readonly int[] _firstToken;
        private readonly int[] _tokens;

        public ByteTrie(IReadOnlyList<(int Id, byte[] Bytes)> tokens)
        {
            var children = new List<SortedDictionary<byte, int>> { new() };
            var ending = new List<List<int>> { new() };
            foreach (var (id, bytes) in tokens)
            {
                var node = 0;
                foreach (var b in bytes)
                {
                    if (!children[node].TryGetValue(b, out var next))
                    {
                        next = children.Count;
                        children[node][b] = next;
                        children.Add(new());
                        ending.Add(new());
                    }

                    node = next;
                }

                ending[node].Add(id);
            }

            _firstEdge = new int[children.Count + 1];
            _firstToken = new int[children.Count + 1];
            var edges = new List<(byte Byte, int Target)>();
            var ids = new List<int>();
            for (var node = 0; node < children.Count; node++)
            {
                _firstEdge[node] = edges.Count;
                _firstToken[node] = ids.Count;
                foreach (var (b, target) in children[node])
                {
                    edges.Add((b, target));
                }

                ids.AddRange(ending[node]);
            }

            _firstEdge[children.Count] = edges.Count;
            _firstToken[children.Count] = ids.Count;
            _edgeBytes = [.. edges.Select(edge => edge.Byte)];
            _edgeTargets = [.. edges.Select(edge => edge.Target)];
            _tokens = [.. ids];
            Nodes = children.Count;
        }

        public int Nodes { get; }

        public int Walk(IJsonConstraint constraint, JsonConstraintState state, Span<bool> allowed)
        {
            var count = 0;
            var stack = new Stack<(int Node, JsonConstraintState State)>();
            stack.Push((0, state));
            while (stack.TryPop(out var top))
            {
                for (var edge = _firstEdge[top.Node]; edge < _firstEdge[top.Node + 1]; edge++)
                {
                    if (constraint.Advance(top.State, _edgeBytes[edge]) is not { } next)
                    {
                        continue;
                    }

                    var child = _edgeTargets[edge];
                    for (var t = _firstToken[child]; t < _firstToken[child + 1]; t++)
                    {
                        allowed[_tokens[t]] = true;
                        count++;
                    }

                    if (_firstEdge[child] < _firstEdge[child + 1])
                    {
                        stack.Push((child, next));
                    }
                }
            }

            return count;
        }
    }
}
