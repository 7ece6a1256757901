namespace Ember.Runtime.Tests.Scheduling;

/// <summary>One call a <see cref="ScriptedDecoder"/> took.</summary>
/// <param name="Kind">Which.</param>
/// <param name="Rows">Rows of a decode or mixed step (1 for a prefill, 0 for a copy).</param>
/// <param name="Slots">The rows' slots; a copy's source and target.</param>
/// <param name="Counts">Tokens fed per row; a copy's entries.</param>
/// <param name="PastLengths">Entries each row held before.</param>
internal sealed record DecoderCall(DecoderCallKind Kind, int Rows, int[] Slots, int[] Counts, int[] PastLengths)
{
    /// <summary>Gets the tokens the call fed.</summary>
    public int Tokens => Kind == DecoderCallKind.Copy ? 0 : Counts.Sum();
}
