namespace Ember.Runtime.Generation;

/// <summary>Why a sequence stopped.</summary>
public enum FinishReason
{
    /// <summary>The model produced its end-of-sequence token.</summary>
    Stop,

    /// <summary>The sequence reached its <c>max_tokens</c>.</summary>
    Length,

    /// <summary>The caller abandoned it.</summary>
    Cancelled,
}
