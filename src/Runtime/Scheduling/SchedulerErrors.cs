using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>The errors the schedulers end sequences with on their own account.</summary>
internal static class SchedulerErrors
{
    /// <summary>The server is stopping: waiting and running sequences end with this.</summary>
    public static AiTextGenerationException ShuttingDown() => new(AiErrorKind.RuntimeFailure, "The server is shutting down.");
}
