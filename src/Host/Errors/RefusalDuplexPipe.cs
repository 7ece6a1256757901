using System.IO.Pipelines;

namespace Ember.Host.Errors;

/// <summary>A connection's transport with its output behind a <see cref="RefusalResponseWriter"/>.</summary>
/// <param name="Input">The transport's own input.</param>
/// <param name="Output">The writer around the transport's output.</param>
internal sealed record RefusalDuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
