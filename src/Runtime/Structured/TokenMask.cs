namespace Ember.Runtime.Structured;

/// <summary>
/// Which tokens of a vocabulary may come next under a constraint: a trie of the tokens' bytes, walked from the
/// constraint's state, a branch pruned at the first byte the constraint refuses. Special tokens (no text) are never in
/// it; the end-of-sequence token is the caller's (allowed when the value is complete).
/// </summary>
/// <remarks>Built once per model; immutable and thread-safe. <see cref="Fill"/> allocates nothing but the constraint's states.</remarks>
internal sealed class TokenMask
{
    // The trie flattened: node n's edges are _edgeBytes/_edgeTargets[_firstEdge[n] .. _firstEdge[n + 1]),
    // its tokens _tokens[_firstToken[n] .. _firstToken[n + 1]).
    private readonly int[] _firstEdge;
    private readonly byte[] _edgeBytes;
    private readonly int[] _edgeTargets;
    private readonly int[] _firstToken;
    private readonly int[] _tokens;

    /// <summary>Builds the trie of <paramref name="count"/> tokens.</summary>
    /// <param name="count">Token ids 0 .. count − 1.</param>
    /// <param name="bytesOf">A token's bytes.</param>
    /// <param name="excluded">Tokens never allowed (special tokens, the end of sequence).</param>
    public TokenMask(int count, Func<int, byte[]> bytesOf, Func<int, bool> excluded)
    {
        ArgumentNullException.ThrowIfNull(bytesOf);
        ArgumentNullException.ThrowIfNull(excluded);
        Count = count;
        var children = new List<SortedDictionary<byte, int>> { new() };
        var ending = new List<List<int>> { new() };
        for (var token = 0; token < count; token++)
        {
            var bytes = bytesOf(token);
            if (bytes.Length == 0 || excluded(token))
            {
                continue;
            }

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

            ending[node].Add(token);
        }

        _firstEdge = new int[children.Count + 1];
        _firstToken = new int[children.Count + 1];
        var edges = new List<(byte Byte, int Target)>();
        var tokens = new List<int>();
        for (var node = 0; node < children.Count; node++)
        {
            _firstEdge[node] = edges.Count;
            _firstToken[node] = tokens.Count;
            foreach (var (b, target) in children[node])
            {
                edges.Add((b, target));
            }

            tokens.AddRange(ending[node]);
        }

        _firstEdge[children.Count] = edges.Count;
        _firstToken[children.Count] = tokens.Count;
        _edgeBytes = [.. edges.Select(edge => edge.Byte)];
        _edgeTargets = [.. edges.Select(edge => edge.Target)];
        _tokens = [.. tokens];
        Nodes = children.Count;
    }

    /// <summary>Gets the token ids the mask covers.</summary>
    public int Count { get; }

    /// <summary>Gets the trie's nodes.</summary>
    public int Nodes { get; }

    /// <summary>Marks in <paramref name="allowed"/> every token whose bytes <paramref name="constraint"/> takes from <paramref name="state"/>; clears the rest.</summary>
    /// <returns>How many tokens are allowed.</returns>
    public int Fill(IJsonConstraint constraint, JsonConstraintState state, Span<bool> allowed)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        allowed.Clear();
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
