using Ember.Models.Chat;

namespace Ember.Runtime.Structured;

/// <summary>
/// The constraint of an answer that may call tools: <see cref="ToolPrompt.CallsMarker"/> (after at most
/// <see cref="MaxLeadingSpace"/> spaces or line breaks), then the calls' JSON (<see cref="ToolCallGrammar"/>), and the
/// sequence ends there. With <c>tool_choice</c> <c>auto</c> the marker is a trigger: an answer whose first bytes leave
/// it is free text, unconstrained to its end.
/// </summary>
/// <remarks>Thread-safe: immutable; its states are shared singletons or the grammar's own immutable frames.</remarks>
internal sealed class ToolCallConstraint : IJsonConstraint
{
    /// <summary>The most spaces or line breaks taken before the marker.</summary>
    public const int MaxLeadingSpace = 2;

    private static readonly byte[] Marker = System.Text.Encoding.UTF8.GetBytes(ToolPrompt.CallsMarker);

    private readonly JsonGrammar _calls;
    private readonly bool _optional;
    private readonly MarkerState[,] _marker;

    /// <summary>Initializes a new instance of the <see cref="ToolCallConstraint"/> class.</summary>
    /// <param name="calls">The grammar of the calls after the marker.</param>
    /// <param name="optional">Whether the answer may be text instead (<c>auto</c>).</param>
    public ToolCallConstraint(JsonGrammar calls, bool optional)
    {
        ArgumentNullException.ThrowIfNull(calls);
        _calls = calls;
        _optional = optional;
        _marker = new MarkerState[MaxLeadingSpace + 1, Marker.Length];
        for (int space = 0; space <= MaxLeadingSpace; space++)
        {
            for (int matched = 0; matched < Marker.Length; matched++)
            {
                _marker[space, matched] = new MarkerState(space, matched);
            }
        }
    }

    /// <inheritdoc/>
    public JsonConstraintState Start => _marker[0, 0];

    /// <inheritdoc/>
    public JsonConstraintState? Advance(JsonConstraintState state, byte b)
    {
        switch (state)
        {
            case FreeText:
                return state;
            case MarkerState marker:
                if (marker.Matched == 0 && b is (byte)' ' or (byte)'\n' && marker.Space < MaxLeadingSpace)
                {
                    return _marker[marker.Space + 1, 0];
                }

                if (b == Marker[marker.Matched])
                {
                    return marker.Matched + 1 == Marker.Length ? _calls.Start : _marker[marker.Space, marker.Matched + 1];
                }

                return _optional ? FreeText.Instance : null;
            default:
                return _calls.Advance(state, b);
        }
    }

    /// <inheritdoc/>
    public bool IsInFreeString(JsonConstraintState state) => state is not (FreeText or MarkerState) && _calls.IsInFreeString(state);

    /// <inheritdoc/>
    public bool IsUnconstrained(JsonConstraintState state) => state is FreeText;

    /// <inheritdoc/>
    public bool IsComplete(JsonConstraintState state) => state switch
    {
        FreeText => true,
        MarkerState => _optional,
        _ => _calls.IsComplete(state),
    };

    /// <inheritdoc/>
    public bool IsFinal(JsonConstraintState state) => state is not (FreeText or MarkerState) && _calls.IsFinal(state);

    /// <summary>Before the calls: how many leading spaces, and how much of the marker, the text holds.</summary>
    private sealed class MarkerState(int space, int matched) : JsonConstraintState
    {
        public int Space { get; } = space;

        public int Matched { get; } = matched;
    }

    /// <summary>A text answer: anything goes.</summary>
    private sealed class FreeText : JsonConstraintState
    {
        public static FreeText Instance { get; } = new();
    }
}
