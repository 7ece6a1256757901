namespace Ember.Runtime.Generation;

/// <summary>The APIs that accept a request field.</summary>
[Flags]
public enum RequestApis
{
    /// <summary>No API.</summary>
    None = 0,

    /// <summary>Workers AI's <c>ai/run/{model}</c>.</summary>
    WorkersAi = 1,

    /// <summary>OpenAI's <c>chat/completions</c>.</summary>
    OpenAiChat = 2,

    /// <summary>OpenAI's <c>completions</c>.</summary>
    OpenAiCompletions = 4,

    /// <summary>Both OpenAI endpoints.</summary>
    OpenAi = OpenAiChat | OpenAiCompletions,

    /// <summary>Every API.</summary>
    All = WorkersAi | OpenAi,
}
