using System.Data;
using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace Ember.Host.Batch;

/// <summary>
/// The batch store in a PostgreSQL database, shared by every node: items are leased with
/// <c>FOR UPDATE SKIP LOCKED</c>, so nodes never wait on each other nor take the same item twice.
/// </summary>
/// <remarks>
/// Thread-safe: every call takes its own connection from the store's <see cref="NpgsqlDataSource"/>, which the store
/// owns and disposes. Times are stored to the microsecond (PostgreSQL's <c>timestamptz</c>), in UTC. An item's
/// completion or retry locks its job's row first, so the last two items of a job finishing on two nodes at once
/// still give the job its finish time.
/// </remarks>
public sealed class PostgresBatchStore : IBatchStore, IAsyncDisposable, IDisposable
{
    private const short Queued = (short)BatchItemStatus.Queued;
    private const short Running = (short)BatchItemStatus.Running;
    private const short Done = (short)BatchItemStatus.Done;

    /// <summary>The advisory lock every node takes before it reads or changes the schema ("ember-sc" in ASCII).</summary>
    private const long MigrationLockKey = 0x656D_6265_722D_7363;

    /// <summary>The migrations, in order: version n is at index n - 1.</summary>
    private static readonly string[] s_migrations =
    [
        """
        CREATE TABLE ember_batch_jobs (
            request_id text PRIMARY KEY,
            model text NOT NULL,
            account_id text NOT NULL,
            owner text NULL,
            created timestamptz NOT NULL,
            finished timestamptz NULL
        );
        CREATE TABLE ember_batch_items (
            request_id text NOT NULL REFERENCES ember_batch_jobs (request_id) ON DELETE CASCADE,
            idx integer NOT NULL,
            body text NOT NULL,
            external_reference text NULL,
            status smallint NOT NULL,
            success boolean NULL,
            result text NULL,
            attempts integer NOT NULL DEFAULT 0,
            lease_owner text NULL,
            lease_token text NULL,
            lease_until timestamptz NULL,
            PRIMARY KEY (request_id, idx)
        );
        CREATE INDEX ember_batch_jobs_open ON ember_batch_jobs (created, request_id) WHERE finished IS NULL;
        CREATE INDEX ember_batch_jobs_finished ON ember_batch_jobs (finished) WHERE finished IS NOT NULL;
        CREATE INDEX ember_batch_items_lease ON ember_batch_items (request_id, idx) WHERE status <> 2;
        """,
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _where;

    /// <summary>Creates the store; nothing is opened until the first call.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is not a valid connection string.</exception>
    public PostgresBatchStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            // Not chained: the parser's message can quote the string, password included.
            throw new ArgumentException("The batch store's PostgreSQL connection string is not valid.", nameof(connectionString));
        }

        _where = $"{builder.Host}:{builder.Port}, database {builder.Database ?? builder.Username}, user {builder.Username}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>Gets the schema version this build creates and understands.</summary>
    public static int SchemaVersion => s_migrations.Length;

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken) => RunAsync(
        async () =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using (NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                await LockSchemaAsync(connection, transaction, cancellationToken);
                await ExecuteAsync(
                    connection,
                    transaction,
                    "CREATE TABLE IF NOT EXISTS ember_schema_version (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())",
                    cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            for (int version = 1; version <= s_migrations.Length; version++)
            {
                await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
                await LockSchemaAsync(connection, transaction, cancellationToken);
                int current = await ReadSchemaVersionAsync(connection, transaction, cancellationToken);
                if (current >= version)
                {
                    continue;
                }

                await ExecuteAsync(connection, transaction, s_migrations[version - 1], cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO ember_schema_version (version) VALUES ($1)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
        });

    /// <inheritdoc />
    public Task SubmitAsync(BatchJob job, IReadOnlyList<BatchItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(items);
        return RunAsync(
            async () =>
            {
                int count = items.Count;
                var indexes = new int[count];
                var bodies = new string[count];
                var references = new string?[count];
                var statuses = new short[count];
                var successes = new bool?[count];
                var results = new string?[count];
                bool allRefused = true;
                for (int i = 0; i < count; i++)
                {
                    BatchItem item = items[i] ?? throw new ArgumentException("An item is null.", nameof(items));
                    indexes[i] = item.Index;
                    bodies[i] = item.Body;
                    references[i] = item.ExternalReference;
                    statuses[i] = item.Refused is null ? Queued : Done;
                    successes[i] = item.Refused?.Success;
                    results[i] = item.Refused?.Result;
                    allRefused &= item.Refused is not null;
                }

                DateTimeOffset created = job.Created.ToUniversalTime();
                await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var insertJob = new NpgsqlCommand(
                    "INSERT INTO ember_batch_jobs (request_id, model, account_id, owner, created, finished) VALUES ($1, $2, $3, $4, $5, $6)",
                    connection,
                    transaction))
                {
                    insertJob.Parameters.Add(Text(job.RequestId));
                    insertJob.Parameters.Add(Text(job.Model));
                    insertJob.Parameters.Add(Text(job.AccountId));
                    insertJob.Parameters.Add(Text(job.Owner));
                    insertJob.Parameters.Add(Time(created));
                    insertJob.Parameters.Add(Time(allRefused ? created : null));
                    await insertJob.ExecuteNonQueryAsync(cancellationToken);
                }

                if (count > 0)
                {
                    await using var insertItems = new NpgsqlCommand(
                        """
                        INSERT INTO ember_batch_items (request_id, idx, body, external_reference, status, success, result, attempts)
                        SELECT $1, t.idx, t.body, t.external_reference, t.status, t.success, t.result, 0
                        FROM unnest($2::integer[], $3::text[], $4::text[], $5::smallint[], $6::boolean[], $7::text[])
                            AS t (idx, body, external_reference, status, success, result)
                        """,
                        connection,
                        transaction);
                    insertItems.Parameters.Add(Text(job.RequestId));
                    insertItems.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = indexes });
                    insertItems.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = bodies });
                    insertItems.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = references });
                    insertItems.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = statuses });
                    insertItems.Parameters.Add(new NpgsqlParameter<bool?[]> { TypedValue = successes });
                    insertItems.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = results });
                    await insertItems.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            });
    }

    /// <inheritdoc />
    public Task<BatchJobState?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return RunAsync(
            async () =>
            {
                await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
                BatchJob job;
                DateTimeOffset? finished;
                await using (var readJob = new NpgsqlCommand(
                    "SELECT model, account_id, owner, created, finished FROM ember_batch_jobs WHERE request_id = $1",
                    connection,
                    transaction))
                {
                    readJob.Parameters.Add(Text(requestId));
                    await using NpgsqlDataReader reader = await readJob.ExecuteReaderAsync(cancellationToken);
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        return null;
                    }

                    job = new BatchJob(
                        requestId,
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.IsDBNull(2) ? null : reader.GetString(2),
                        reader.GetFieldValue<DateTimeOffset>(3));
                    finished = reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4);
                }

                var items = new List<BatchItemState>();
                await using (var readItems = new NpgsqlCommand(
                    "SELECT idx, status, external_reference, success, result, attempts FROM ember_batch_items WHERE request_id = $1 ORDER BY idx",
                    connection,
                    transaction))
                {
                    readItems.Parameters.Add(Text(requestId));
                    await using NpgsqlDataReader reader = await readItems.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        var status = (BatchItemStatus)reader.GetInt16(1);
                        BatchItemResult? result = status == BatchItemStatus.Done
                            ? new BatchItemResult(reader.GetBoolean(3), reader.GetString(4))
                            : null;
                        items.Add(new BatchItemState(
                            reader.GetInt32(0),
                            status,
                            reader.IsDBNull(2) ? null : reader.GetString(2),
                            result,
                            reader.GetInt32(5)));
                    }
                }

                await transaction.CommitAsync(cancellationToken);
                return (BatchJobState?)new BatchJobState(job, items, finished);
            });
    }

    /// <inheritdoc />
    public Task<BatchLease?> LeaseAsync(string node, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return RunAsync(
            async () =>
            {
                await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    """
                    WITH next AS (
                        SELECT i.request_id, i.idx
                        FROM ember_batch_jobs j
                        JOIN ember_batch_items i ON i.request_id = j.request_id
                        WHERE j.finished IS NULL
                            AND i.status <> 2
                            AND (i.status = 0 OR (i.status = 1 AND i.lease_until <= $1))
                        ORDER BY j.created, j.request_id, i.idx
                        LIMIT 1
                        FOR UPDATE OF i SKIP LOCKED
                    )
                    UPDATE ember_batch_items i
                    SET status = 1, lease_owner = $2, lease_token = $3, lease_until = $4, attempts = i.attempts + 1
                    FROM next, ember_batch_jobs j
                    WHERE i.request_id = next.request_id AND i.idx = next.idx AND j.request_id = i.request_id
                    RETURNING i.request_id, i.idx, j.model, i.body, i.attempts, i.lease_token
                    """,
                    connection);
                command.Parameters.Add(Time(now.ToUniversalTime()));
                command.Parameters.Add(Text(node));
                command.Parameters.Add(Text(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
                command.Parameters.Add(Time((now + lease).ToUniversalTime()));
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return null;
                }

                return (BatchLease?)new BatchLease(
                    reader.GetString(0),
                    reader.GetInt32(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetInt32(4),
                    reader.GetString(5));
            });
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> RenewAsync(IReadOnlyCollection<BatchLease> leases, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(StringComparer.Ordinal));
        }

        return RunAsync<IReadOnlySet<string>>(
            async () =>
            {
                await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    """
                    UPDATE ember_batch_items i SET lease_until = $1
                    FROM unnest($2::text[], $3::integer[], $4::text[]) AS l(request_id, idx, token)
                    WHERE i.request_id = l.request_id AND i.idx = l.idx AND i.lease_token = l.token AND i.status = 1
                    RETURNING i.lease_token
                    """,
                    connection);
                command.Parameters.Add(Time(until.ToUniversalTime()));
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. leases.Select(lease => lease.RequestId)] });
                command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. leases.Select(lease => lease.Index)] });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. leases.Select(lease => lease.Token)] });
                var held = new HashSet<string>(StringComparer.Ordinal);
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    held.Add(reader.GetString(0));
                }

                return (IReadOnlySet<string>)held;
            });
    }

    /// <inheritdoc />
    public Task<BatchLeaseEnd> CompleteAsync(BatchLease lease, BatchItemResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(result);
        return EndLeaseAsync(lease, result, maxAttempts: null, now, cancellationToken);
    }

    /// <inheritdoc />
    public Task<BatchLeaseEnd> RetryAsync(BatchLease lease, BatchItemResult failure, int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        return EndLeaseAsync(lease, failure, maxAttempts, now, cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> DeleteFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken) => RunAsync(
        async () =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("DELETE FROM ember_batch_jobs WHERE finished IS NOT NULL AND finished < $1", connection);
            command.Parameters.Add(Time(finishedBefore.ToUniversalTime()));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        });

    /// <inheritdoc />
    public Task<BatchCounts> CountAsync(CancellationToken cancellationToken) => RunAsync(
        async () =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                """
                SELECT
                    (SELECT count(*) FROM ember_batch_items WHERE status = 0),
                    (SELECT count(*) FROM ember_batch_items WHERE status = 1),
                    (SELECT count(*) FROM ember_batch_items WHERE status = 2),
                    (SELECT count(*) FROM ember_batch_jobs WHERE finished IS NULL)
                """,
                connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new BatchCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        });

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _dataSource.Dispose();

    private static async Task LockSchemaAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = MigrationLockKey });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<int> ReadSchemaVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM ember_schema_version", connection, transaction);
        int version = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (version > s_migrations.Length)
        {
            throw new BatchStoreException(
                $"The batch store's PostgreSQL schema is version {version}, newer than this build knows (version {s_migrations.Length}): run a newer Ember, or another database.");
        }

        return version;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } time ? time : DBNull.Value };

    /// <summary>Completes (no <paramref name="maxAttempts"/>) or retries the leased item, and finishes its job when it was the last.</summary>
    private Task<BatchLeaseEnd> EndLeaseAsync(BatchLease lease, BatchItemResult result, int? maxAttempts, DateTimeOffset now, CancellationToken cancellationToken) => RunAsync(
        async () =>
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);

            // The job's row first: two items of one job ending at once take turns, so the last one sees the other done.
            await using (var lockJob = new NpgsqlCommand("SELECT 1 FROM ember_batch_jobs WHERE request_id = $1 FOR NO KEY UPDATE", connection, transaction))
            {
                lockJob.Parameters.Add(Text(lease.RequestId));
                if (await lockJob.ExecuteScalarAsync(cancellationToken) is null)
                {
                    return BatchLeaseEnd.Lost;
                }
            }

            short status;
            await using (var end = new NpgsqlCommand(
                """
                UPDATE ember_batch_items
                SET status = CASE WHEN $5::integer IS NOT NULL AND attempts < $5 THEN 0 ELSE 2 END,
                    success = CASE WHEN $5::integer IS NOT NULL AND attempts < $5 THEN NULL ELSE $6 END,
                    result = CASE WHEN $5::integer IS NOT NULL AND attempts < $5 THEN NULL ELSE $7 END,
                    lease_owner = NULL, lease_token = NULL, lease_until = NULL
                WHERE request_id = $1 AND idx = $2 AND lease_token = $3 AND status = $4
                RETURNING status
                """,
                connection,
                transaction))
            {
                end.Parameters.Add(Text(lease.RequestId));
                end.Parameters.Add(new NpgsqlParameter<int> { TypedValue = lease.Index });
                end.Parameters.Add(Text(lease.Token));
                end.Parameters.Add(new NpgsqlParameter<short> { TypedValue = Running });
                end.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = maxAttempts is { } max ? max : DBNull.Value });
                end.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = result.Success });
                end.Parameters.Add(Text(result.Result));
                object? ended = await end.ExecuteScalarAsync(cancellationToken);
                if (ended is null)
                {
                    return BatchLeaseEnd.Lost;
                }

                status = (short)ended;
            }

            BatchLeaseEnd outcome = BatchLeaseEnd.Requeued;
            if (status == Done)
            {
                await using var finish = new NpgsqlCommand(
                    """
                    UPDATE ember_batch_jobs SET finished = $2
                    WHERE request_id = $1 AND finished IS NULL
                        AND NOT EXISTS (SELECT 1 FROM ember_batch_items WHERE request_id = $1 AND status <> 2)
                    """,
                    connection,
                    transaction);
                finish.Parameters.Add(Text(lease.RequestId));
                finish.Parameters.Add(Time(now.ToUniversalTime()));
                outcome = await finish.ExecuteNonQueryAsync(cancellationToken) > 0 ? BatchLeaseEnd.JobFinished : BatchLeaseEnd.Done;
            }

            await transaction.CommitAsync(cancellationToken);
            return outcome;
        });

    /// <summary>Runs <paramref name="operation"/>, turning a database that cannot be reached into a <see cref="BatchStoreException"/>.</summary>
    private async Task<T> RunAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (NpgsqlException exception) when (IsUnavailable(exception))
        {
            // The connection string (and its password) is never part of the message: only host, port, database and user.
            throw new BatchStoreException($"The batch store's PostgreSQL database ({_where}) cannot be used: {exception.Message}", exception)
            {
                StorageFull = exception is PostgresException { SqlState: PostgresErrorCodes.DiskFull },
            };
        }
    }

    private async Task RunAsync(Func<Task> operation) => await RunAsync(
        async () =>
        {
            await operation();
            return true;
        });

    /// <summary>Whether the failure is the server's or the network's (not reachable, refused login, no such database, shutting down), not the statement's.</summary>
    private static bool IsUnavailable(NpgsqlException exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
            || postgres.SqlState.StartsWith("28", StringComparison.Ordinal) // invalid authorization
            || postgres.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources (too many connections)
            || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) // shutting down, cannot connect now
            || postgres.SqlState == PostgresErrorCodes.InvalidCatalogName, // no such database
        _ => true, // not from the server: a socket, timeout or TLS failure
    };
}
