using Microsoft.Extensions.Logging;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>A logger that keeps every entry (event id, level, message), for tests that count what was logged.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _lock = new();
    private readonly List<(EventId Id, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public int Count(int eventId) => Entries.Count(entry => entry.Id.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _entries.Add((eventId, logLevel, formatter(state, exception)));
        }
    }
}
