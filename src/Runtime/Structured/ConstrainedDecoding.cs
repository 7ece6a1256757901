using Ember.Runtime.Engine;

namespace Ember.Runtime.Structured;

/// <summary>
/// One sequence's constrained decoding: before each pick it masks every token that would take the text out of the
/// constraint (the end of sequence too, until the value is complete); after the pick it advances the constraint by the
/// token's bytes, and says when the value is final (no byte can extend it), so the sequence ends there.
/// </summary>
/// <remarks>One per sequence; scheduler thread only.</remarks>
internal sealed class ConstrainedDecoding
{
    private readonly IJsonConstraint _constraint;
    private readonly TokenMask _mask;
    private readonly TokenVocabulary _vocabulary;
    private readonly int _endToken;
    private readonly bool[] _allowed;
    private JsonConstraintState _state;

    /// <summary>Starts decoding under <paramref name="constraint"/>.</summary>
    public ConstrainedDecoding(IJsonConstraint constraint, TokenMask mask, TokenVocabulary vocabulary, int endToken)
    {
        _constraint = constraint;
        _mask = mask;
        _vocabulary = vocabulary;
        _endToken = endToken;
        _allowed = new bool[mask.Count];
        _state = constraint.Start;
    }

    /// <summary>Gets a value indicating whether the value is final: the sequence must end.</summary>
    public bool IsFinal { get; private set; }

    /// <summary>Sets to −∞ the score of every token the constraint does not allow next.</summary>
    /// <param name="scores">The logits, one per token id; changed in place.</param>
    public void Mask(Span<float> scores)
    {
        if (_constraint.IsUnconstrained(_state))
        {
            return;
        }

        var allowed = _mask.Fill(_constraint, _state, _allowed);
        // The end of sequence only once the value is whole (or, should nothing else be allowed, to end rather than hang).
        var endAllowed = _constraint.IsComplete(_state) || allowed == 0;
        for (var token = 0; token < scores.Length; token++)
        {
            var keep = token == _endToken ? endAllowed : token < _allowed.Length && _allowed[token];
            if (!keep)
            {
                scores[token] = float.NegativeInfinity;
            }
        }
    }

    /// <summary>Advances the constraint by the picked token.</summary>
    /// <param name="token">The token picked from the masked scores.</param>
    public void Accept(int token)
    {
        if (token == _endToken)
        {
            IsFinal = true;
            return;
        }

        if (_constraint.IsUnconstrained(_state))
        {
            return;
        }

        foreach (var b in _vocabulary.BytesOf(token))
        {
            // The mask allowed the token, so every byte is taken; a refusal here is a mask bug, and ends the value.
            if (_constraint.Advance(_state, b) is not { } next)
            {
                IsFinal = true;
                return;
            }

            _state = next;
        }

        IsFinal = _constraint.IsFinal(_state);
    }
}
