namespace Ember.Runtime.Generation;

/// <summary>The closed set of ways a text-generation request can fail.</summary>
public enum AiErrorKind
{
    /// <summary>The input breaks the task's schema or rules (empty prompt, unknown role, out-of-range option).</summary>
    BadInput,

    /// <summary>The model id is not in the catalog.</summary>
    ModelNotFound,

    /// <summary>The model is in the catalog but this server has no weights configured for it.</summary>
    ModelNotInstalled,

    /// <summary>A model limit is exceeded (sequence limit or context limit); the message names it.</summary>
    LimitExceeded,

    /// <summary>The model's queue is full, or the caller asked <c>rejectIfBusy</c> and no slot is free.</summary>
    Busy,

    /// <summary>The request ran past the model's request timeout.</summary>
    Timeout,

    /// <summary>The caller abandoned the request.</summary>
    Cancelled,

    /// <summary>The inference runtime failed.</summary>
    RuntimeFailure,
}
