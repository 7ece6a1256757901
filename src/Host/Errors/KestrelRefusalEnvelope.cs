using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using Ember.Host.Configuration;
using Ember.Host.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Ember.Host.Errors;

/// <summary>
/// Answers the requests that Kestrel refuses before any middleware runs (a malformed request line or header, a NUL in
/// the target, a request line or headers over their limits) in the API's error shape, where Kestrel would send its
/// status with an empty body.
/// </summary>
/// <remarks>
/// <para>
/// Kestrel reports each refusal through its diagnostic event <see cref="BadRequestEvent"/>, raised on the connection's
/// own thread after it has chosen the status and before it writes the response. A connection middleware
/// (<see cref="Apply"/>, on every endpoint) puts a <see cref="RefusalResponseWriter"/> around each connection's output;
/// the event arms that connection's writer with the error, and the writer puts the error's body in the response Kestrel
/// then writes (its head, ending in <c>Content-Length: 0</c>), with a <c>cf-ray</c>. Everything else passes through
/// untouched and uncopied. Kestrel still closes the connection, as it always does after a refusal.
/// </para>
/// <para>
/// The codes are <see cref="ErrorMapping.FromKestrelRefusal"/>'s, except for a NUL (<c>%00</c>) in the path, which
/// Kestrel refuses while routing would have answered any other byte: the answer is then routing's, an unknown model
/// (5007) under <c>run/</c> and no route (7003) elsewhere. Kestrel's own TLS (an <c>https://</c> address) and HTTP/2
/// are outside: there the middleware sees the encrypted or framed bytes, and passes them on as they are.
/// </para>
/// <para>Thread-safe. One per host (a singleton), subscribed to the listener from construction to disposal.</para>
/// </remarks>
public sealed class KestrelRefusalEnvelope : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    /// <summary>The diagnostic event Kestrel raises for a refused request, its payload the request's features.</summary>
    public const string BadRequestEvent = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    private readonly ConcurrentDictionary<string, RefusalResponseWriter> _connections = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;
    private readonly long _maxBodyBytes;
    private readonly ILogger<KestrelRefusalEnvelope> _logger;

    /// <summary>Subscribes to Kestrel's refusals.</summary>
    /// <param name="listener">ASP.NET Core's diagnostic listener, the one Kestrel writes to.</param>
    /// <param name="options">Gives the body limit for the 413 message.</param>
    /// <param name="logger">Logs each refusal answered.</param>
    public KestrelRefusalEnvelope(DiagnosticListener listener, IOptions<EmberHostOptions> options, ILogger<KestrelRefusalEnvelope> logger)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _maxBodyBytes = options.Value.MaxRequestBodyBytes;
        _logger = logger;
        _subscription = listener.Subscribe(this, static name => name == BadRequestEvent);
    }

    /// <summary>Adds the connection middleware to an endpoint (<see cref="KestrelServerOptions.ConfigureEndpointDefaults"/> applies it to all).</summary>
    /// <param name="listenOptions">The endpoint.</param>
    public void Apply(ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Use(next => connection => ServeAsync(connection, next));
    }

    /// <summary>Arms the refused request's connection with the error to answer.</summary>
    /// <param name="value">The event's name and its payload, the request's <see cref="IFeatureCollection"/>.</param>
    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != BadRequestEvent || value.Value is not IFeatureCollection features
            || features.Get<IHttpConnectionFeature>()?.ConnectionId is not string connectionId
            || !_connections.TryGetValue(connectionId, out RefusalResponseWriter? writer))
        {
            return;
        }

        int status = (features.Get<IBadRequestExceptionFeature>()?.Error as Microsoft.AspNetCore.Http.BadHttpRequestException)?.StatusCode ?? StatusCodes.Status400BadRequest;
        (ApiError error, PathString path) = Describe(status, features.Get<IHttpRequestFeature>()?.RawTarget, _maxBodyBytes);
        writer.Arm(error.Status, ApiErrorWriter.ToUtf8Json(error, path));
        HostLog.KestrelRefused(_logger, status, error.Status, error.Code);
    }

    /// <summary>Does nothing: the listener ends with the host.</summary>
    public void OnCompleted()
    {
    }

    /// <summary>Does nothing: the listener reports no errors.</summary>
    /// <param name="error">Unused.</param>
    public void OnError(Exception error)
    {
    }

    /// <summary>Ends the subscription.</summary>
    public void Dispose() => _subscription.Dispose();

    /// <summary>The error for a refusal, and the path whose shape (OpenAI's or the envelope) it is written in.</summary>
    /// <param name="status">The status Kestrel chose.</param>
    /// <param name="rawTarget">The request target as sent, when Kestrel read it (it is <see langword="null"/> when the request line itself was refused).</param>
    /// <param name="maxBodyBytes">The body limit, for the 413 message.</param>
    /// <returns>The error and the decoded path (<c>/</c> when unknown).</returns>
    internal static (ApiError Error, PathString Path) Describe(int status, string? rawTarget, long maxBodyBytes)
    {
        if (rawTarget is null || !rawTarget.StartsWith('/'))
        {
            return (ErrorMapping.FromKestrelRefusal(status, maxBodyBytes), new PathString("/"));
        }

        int query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        string[] segments = (query < 0 ? rawTarget : rawTarget[..query]).Split('/').Select(Uri.UnescapeDataString).ToArray();
        var path = new PathString(string.Join('/', segments));
        if (!path.Value!.Contains('\0', StringComparison.Ordinal))
        {
            return (ErrorMapping.FromKestrelRefusal(status, maxBodyBytes), path);
        }

        // The NUL Kestrel refused: what routing answers for any other byte. "" client v4 accounts {account} ai run {model…}
        bool run = segments.Length > 7
            && segments[1].Equals("client", StringComparison.OrdinalIgnoreCase)
            && segments[2].Equals("v4", StringComparison.OrdinalIgnoreCase)
            && segments[3].Equals("accounts", StringComparison.OrdinalIgnoreCase)
            && segments[4].Length > 0 && !segments[4].Contains('\0', StringComparison.Ordinal)
            && segments[5].Equals("ai", StringComparison.OrdinalIgnoreCase)
            && segments[6].Equals("run", StringComparison.OrdinalIgnoreCase);
        string model = run ? string.Join('/', segments[7..]) : string.Empty; // each segment decoded, %2F included, as the run route's model id is
        return (model.Length > 0 ? ErrorMapping.NoSuchModel(model) : ErrorMapping.NoRoute(), path);
    }

    private async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        IDuplexPipe transport = connection.Transport;
        var writer = new RefusalResponseWriter(transport.Output);
        connection.Transport = new RefusalDuplexPipe(transport.Input, writer);
        _connections[connection.ConnectionId] = writer;
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.ConnectionId, out _);
            connection.Transport = transport;
        }
    }
}
