namespace Ember.Runtime.Structured;

/// <summary>An immutable state of several live parses at once (from anyOf alternatives or optional keys).</summary>
internal sealed class ParseFrameSet : JsonConstraintState
{
    /// <summary>Initializes a new instance of the <see cref="ParseFrameSet"/> class; the array becomes the set's own.</summary>
    public ParseFrameSet(ParseFrame[] threads) => Threads = threads;

    /// <summary>Gets the top frame of each live parse (never modified).</summary>
    public ParseFrame[] Threads { get; }
}
