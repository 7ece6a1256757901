namespace Ember.Tests.Shared;

/// <summary>How a process that <see cref="ChildProcess"/> ran ended.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Everything it wrote on standard output.</param>
/// <param name="Stderr">Everything it wrote on standard error.</param>
internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);
