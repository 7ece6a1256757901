using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server for a test collection: <c>initdb</c> in a temporary folder, <c>pg_ctl start</c> on a
/// free port of 127.0.0.1 (its socket in the same folder), <c>pg_ctl stop -m fast</c> and the folder deleted at the end.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root, so as root the fixture runs <c>initdb</c> and <c>pg_ctl</c> through
/// <c>runuser -u</c> as the <c>postgres</c> user, or as <c>ember-pg</c> (created with <c>useradd</c> when missing).
/// The binaries are found through <c>EMBER_POSTGRES_BIN</c>, then <c>PATH</c>, then the newest
/// <c>/usr/lib/postgresql/*/bin</c>. A missing PostgreSQL fails the setup with a message saying so; every process has a
/// timeout. Tests get their own database from <see cref="CreateDatabaseAsync"/>.
/// </remarks>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    /// <summary>The superuser <c>initdb</c> creates (trust authentication, no password).</summary>
    public const string User = "ember";

    private const string ServiceUser = "ember-pg";
    private static readonly TimeSpan s_initdbTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);

    private readonly IMessageSink _diagnostics;
    private string? _pgCtl;
    private string? _runAs;
    private bool _started;
    private int _databases;

    /// <summary>Creates the fixture (xunit passes the diagnostic sink that gets the start time).</summary>
    /// <param name="diagnostics">Where the start time and port are reported.</param>
    public PostgresServerFixture(IMessageSink diagnostics) => _diagnostics = diagnostics;

    /// <summary>Gets the server's folder (data, socket, log), deleted at the end.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "ember-pg-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Gets the port the server listens on at 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>Gets how long initdb and the start took.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>Gets the connection string of the <c>postgres</c> database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    private string DataFolder => Path.Combine(Folder, "data");

    /// <summary>The connection string of a database on this server.</summary>
    /// <param name="database">The database's name.</param>
    /// <returns>The connection string.</returns>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = User,
        Database = database,
        Timeout = 15,
        Pooling = true,
    }.ConnectionString;

    /// <summary>Creates a new, empty database with a unique name.</summary>
    /// <param name="prefix">The start of its name (lower-case letters, digits, underscores).</param>
    /// <returns>The new database's connection string.</returns>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        string name = $"{prefix}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    /// <summary>
    /// Restarts the server as an operator or a crash-looping pod would: <c>pg_ctl stop -m fast</c> (every session
    /// terminated, connections dropped), then <c>pg_ctl start</c> on the same port and data. The pools of the tests'
    /// databases are left as they are (their clients must find out for themselves that their connections died); only
    /// the fixture's own, of the <c>postgres</c> database, is cleared for <see cref="CreateDatabaseAsync"/>.
    /// </summary>
    /// <param name="down">How long the server stays down between the stop and the start.</param>
    /// <returns>How long the server was unreachable, from the stop to the end of the start.</returns>
    public async Task<TimeSpan> RestartAsync(TimeSpan down)
    {
        if (!_started || _pgCtl is null)
        {
            throw new InvalidOperationException("The PostgreSQL server is not running.");
        }

        var stopwatch = Stopwatch.StartNew();
        await RunPostgresToolAsync(_pgCtl, ["-D", DataFolder, "-m", "fast", "-w", "-t", "30", "stop"], s_startTimeout);
        await Task.Delay(down);
        await StartServerAsync();
        TimeSpan unreachable = stopwatch.Elapsed;
        using (var own = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(own);
        }

        return unreachable;
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        string bin = FindBinaries();
        string initdb = Path.Combine(bin, "initdb");
        _pgCtl = Path.Combine(bin, "pg_ctl");
        Directory.CreateDirectory(Folder);
        try
        {
            if (IsRoot())
            {
                _runAs = await ServiceUserAsync();
                await RunAsync("chown", [_runAs, Folder], s_toolTimeout);
            }

            await RunPostgresToolAsync(
                initdb,
                ["-D", DataFolder, "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C", "--no-sync"],
                s_initdbTimeout);

            // A free port can be taken between the probe and the start: try a few.
            for (int attempt = 1; ; attempt++)
            {
                Port = LoopbackPorts.Free();
                try
                {
                    await StartServerAsync();
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3 && LogSays("could not bind"))
                {
                }
            }

            _started = true;
            StartTime = stopwatch.Elapsed;
            _diagnostics.OnMessage(new DiagnosticMessage(
                $"PostgreSQL started in {StartTime.TotalMilliseconds:F0} ms on 127.0.0.1:{Port}{(_runAs is null ? string.Empty : $" as {_runAs}")} ({bin})"));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        try
        {
            if (_started && _pgCtl is not null)
            {
                _started = false;
                NpgsqlConnection.ClearAllPools();
                await RunPostgresToolAsync(_pgCtl, ["-D", DataFolder, "-m", "fast", "-w", "-t", "30", "stop"], s_startTimeout);
            }
        }
        finally
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }

    private static string FindBinaries()
    {
        string? configured = Environment.GetEnvironmentVariable("EMBER_POSTGRES_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new InvalidOperationException($"EMBER_POSTGRES_BIN is {configured}, which has no initdb.");
        }

        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl")))
            {
                return folder;
            }
        }

        const string Installed = "/usr/lib/postgresql";
        if (Directory.Exists(Installed))
        {
            string? newest = Directory.GetDirectories(Installed)
                .Where(version => File.Exists(Path.Combine(version, "bin", "initdb")))
                .OrderByDescending(version => int.TryParse(Path.GetFileName(version), out int number) ? number : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return Path.Combine(newest, "bin");
            }
        }

        throw new InvalidOperationException(
            "PostgreSQL is not installed: no initdb in EMBER_POSTGRES_BIN, on PATH or under /usr/lib/postgresql/*/bin. "
            + "Install it (apt-get install postgresql) to run the PostgreSQL batch store's tests.");
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The unprivileged user that runs PostgreSQL under root: <c>postgres</c>, else <c>ember-pg</c>, created if need be.</summary>
    private static async Task<string> ServiceUserAsync()
    {
        foreach (string user in new[] { "postgres", ServiceUser })
        {
            if ((await RunAsync("id", ["-u", user], s_toolTimeout, check: false)).ExitCode == 0)
            {
                return user;
            }
        }

        await RunAsync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ServiceUser], s_toolTimeout);
        return ServiceUser;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, bool check = true, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string command = $"{file} {string.Join(' ', arguments)}";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{command} did not finish within {timeout.TotalSeconds:F0} s.");
        }

        string text = (await output) + (await error);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed with exit code {process.ExitCode}: {text.Trim()}");
        }

        return (process.ExitCode, text);
    }

    private async Task StartServerAsync()
    {
        string options = $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";

        // -l: the server's output goes to a file, not to pipes this process would wait on.
        await RunPostgresToolAsync(
            _pgCtl!,
            ["-D", DataFolder, "-l", Path.Combine(Folder, "server.log"), "-o", options, "-w", "-t", ((int)s_startTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "start"],
            s_startTimeout + TimeSpan.FromSeconds(15));
    }

    private bool LogSays(string text)
    {
        string log = Path.Combine(Folder, "server.log");
        return File.Exists(log) && File.ReadAllText(log).Contains(text, StringComparison.OrdinalIgnoreCase);
    }

    private async Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        try
        {
            if (_runAs is null)
            {
                await RunAsync(tool, arguments, timeout, workingDirectory: Folder);
            }
            else
            {
                await RunAsync("runuser", ["-u", _runAs, "--", tool, .. arguments], timeout, workingDirectory: Folder);
            }
        }
        catch (InvalidOperationException exception) when (File.Exists(Path.Combine(Folder, "server.log")))
        {
            throw new InvalidOperationException($"{exception.Message}{Environment.NewLine}server.log:{Environment.NewLine}{File.ReadAllText(Path.Combine(Folder, "server.log"))}", exception);
        }
    }
}
