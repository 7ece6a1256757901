using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Ember.Host.Batch;

/// <summary>
/// The batch store in one SQLite file (write-ahead logging), which several processes on one machine may share.
/// </summary>
/// <remarks>
/// Thread-safe: every call opens its own connection (Microsoft.Data.Sqlite pools them) and holds no state between calls.
/// Every change is one transaction; a lease is taken in a <c>BEGIN IMMEDIATE</c> transaction, so two processes never
/// lease the same item. A writer waits for another's lock up to the busy timeout (5 s), then the call fails with
/// <see cref="BatchStoreException"/>. Times are kept as Unix milliseconds (UTC): sub-millisecond parts and offsets are
/// not kept, and times come back with offset zero. Item status is stored as 0 (queued), 1 (running), 2 (done).
/// </remarks>
public sealed class SqliteBatchStore : IBatchStore
{
    private const int StatusQueued = 0;
    private const int StatusDone = 2;

    /// <summary>SQLite's <c>SQLITE_FULL</c>: a write found no space left on the database's disk.</summary>
    private const int SqliteFull = 13;

    /// <summary>How long a call waits for another connection's lock before it fails.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The schema's migrations: step <c>n</c> (from 0) brings the schema to version <c>n + 1</c>.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE batch_jobs (
            request_id TEXT NOT NULL PRIMARY KEY,
            model TEXT NOT NULL,
            account_id TEXT NOT NULL,
            owner TEXT NULL,
            created INTEGER NOT NULL,
            finished INTEGER NULL
        );
        CREATE TABLE batch_items (
            request_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            body TEXT NOT NULL,
            external_reference TEXT NULL,
            status INTEGER NOT NULL,
            success INTEGER NULL,
            result TEXT NULL,
            attempts INTEGER NOT NULL,
            lease_owner TEXT NULL,
            lease_token TEXT NULL,
            lease_until INTEGER NULL,
            PRIMARY KEY (request_id, idx)
        );
        CREATE INDEX batch_jobs_open ON batch_jobs (created, request_id) WHERE finished IS NULL;
        CREATE INDEX batch_jobs_finished ON batch_jobs (finished) WHERE finished IS NOT NULL;
        CREATE INDEX batch_items_pending ON batch_items (request_id, idx) WHERE status <> 2;
        """,
    ];

    private readonly string _filePath;
    private readonly string _connectionString;
    private readonly string _busyTimeoutPragma;

    /// <summary>Creates the store on a database file; its folder is created when missing. Call <see cref="MigrateAsync"/> first.</summary>
    /// <param name="filePath">The database file.</param>
    public SqliteBatchStore(string filePath)
        : this(filePath, DefaultBusyTimeout)
    {
    }

    /// <summary>Creates the store with another busy timeout (whole seconds, at least one; for tests).</summary>
    /// <param name="filePath">The database file.</param>
    /// <param name="busyTimeout">How long a call waits for another connection's lock.</param>
    internal SqliteBatchStore(string filePath, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(busyTimeout, TimeSpan.FromSeconds(1));
        _filePath = Path.GetFullPath(filePath);
        string? folder = Path.GetDirectoryName(_filePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _filePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,

            // Microsoft.Data.Sqlite's own retry on SQLITE_BUSY (0 would mean forever), on top of SQLite's busy handler.
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();
        _busyTimeoutPragma = "PRAGMA busy_timeout = " + ((long)busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + ";";
    }

    /// <summary>The schema version this build knows (the number of migrations).</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken) => RunAsync(
        async (connection, ct) =>
        {
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", ct).ConfigureAwait(false);
            while (true)
            {
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY);", ct).ConfigureAwait(false);
                long current = await ScalarAsync(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_version;", ct).ConfigureAwait(false);
                if (current > Migrations.Length)
                {
                    throw new BatchStoreException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"The batch database '{_filePath}' has schema version {current}, newer than this build's {Migrations.Length}."));
                }

                if (current == Migrations.Length)
                {
                    transaction.Commit();
                    return true;
                }

                await ExecuteAsync(connection, Migrations[current], ct).ConfigureAwait(false);
                using SqliteCommand record = Command(connection, "INSERT INTO schema_version (version) VALUES ($version);");
                record.Parameters.AddWithValue("$version", current + 1);
                await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                transaction.Commit();
            }
        },
        cancellationToken);

    /// <inheritdoc />
    public Task SubmitAsync(BatchJob job, IReadOnlyList<BatchItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(items);
        bool allRefused = items.All(item => item.Refused is not null);
        return RunAsync(
            async (connection, ct) =>
            {
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                using (SqliteCommand insertJob = Command(
                    connection,
                    "INSERT INTO batch_jobs (request_id, model, account_id, owner, created, finished) VALUES ($id, $model, $account, $owner, $created, $finished);"))
                {
                    insertJob.Parameters.AddWithValue("$id", job.RequestId);
                    insertJob.Parameters.AddWithValue("$model", job.Model);
                    insertJob.Parameters.AddWithValue("$account", job.AccountId);
                    insertJob.Parameters.AddWithValue("$owner", (object?)job.Owner ?? DBNull.Value);
                    insertJob.Parameters.AddWithValue("$created", ToMs(job.Created));
                    insertJob.Parameters.AddWithValue("$finished", allRefused ? ToMs(job.Created) : DBNull.Value);
                    await insertJob.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                using SqliteCommand insertItem = Command(
                    connection,
                    "INSERT INTO batch_items (request_id, idx, body, external_reference, status, success, result, attempts) VALUES ($id, $idx, $body, $reference, $status, $success, $result, 0);");
                SqliteParameter idx = insertItem.Parameters.Add("$idx", SqliteType.Integer);
                SqliteParameter body = insertItem.Parameters.Add("$body", SqliteType.Text);
                SqliteParameter reference = insertItem.Parameters.Add("$reference", SqliteType.Text);
                SqliteParameter status = insertItem.Parameters.Add("$status", SqliteType.Integer);
                SqliteParameter success = insertItem.Parameters.Add("$success", SqliteType.Integer);
                SqliteParameter result = insertItem.Parameters.Add("$result", SqliteType.Text);
                insertItem.Parameters.AddWithValue("$id", job.RequestId);
                foreach (BatchItem item in items)
                {
                    idx.Value = item.Index;
                    body.Value = item.Body;
                    reference.Value = (object?)item.ExternalReference ?? DBNull.Value;
                    status.Value = item.Refused is null ? StatusQueued : StatusDone;
                    success.Value = item.Refused is null ? DBNull.Value : item.Refused.Success;
                    result.Value = (object?)item.Refused?.Result ?? DBNull.Value;
                    await insertItem.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                transaction.Commit();
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<BatchJobState?> FindAsync(string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return RunAsync<BatchJobState?>(
            async (connection, ct) =>
            {
                // One read transaction: the job and its items from the same snapshot.
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: true);
                BatchJob job;
                DateTimeOffset? finished;
                using (SqliteCommand findJob = Command(
                    connection,
                    "SELECT model, account_id, owner, created, finished FROM batch_jobs WHERE request_id = $id;"))
                {
                    findJob.Parameters.AddWithValue("$id", requestId);
                    using SqliteDataReader reader = await findJob.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        return null;
                    }

                    job = new BatchJob(
                        requestId,
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.IsDBNull(2) ? null : reader.GetString(2),
                        FromMs(reader.GetInt64(3)));
                    finished = reader.IsDBNull(4) ? null : FromMs(reader.GetInt64(4));
                }

                var states = new List<BatchItemState>();
                using (SqliteCommand findItems = Command(
                    connection,
                    "SELECT idx, status, external_reference, success, result, attempts FROM batch_items WHERE request_id = $id ORDER BY idx;"))
                {
                    findItems.Parameters.AddWithValue("$id", requestId);
                    using SqliteDataReader reader = await findItems.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        BatchItemStatus status = ToStatus(reader.GetInt64(1));
                        BatchItemResult? result = status == BatchItemStatus.Done && !reader.IsDBNull(3) && !reader.IsDBNull(4)
                            ? new BatchItemResult(reader.GetInt64(3) != 0, reader.GetString(4))
                            : null;
                        states.Add(new BatchItemState(
                            reader.GetInt32(0),
                            status,
                            reader.IsDBNull(2) ? null : reader.GetString(2),
                            result,
                            reader.GetInt32(5)));
                    }
                }

                transaction.Commit();
                return new BatchJobState(job, states, finished);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<BatchLease?> LeaseAsync(string node, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        long nowMs = ToMs(now);
        long until = ToMs(now + lease);
        return RunAsync<BatchLease?>(
            async (connection, ct) =>
            {
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                string requestId;
                int index;
                string model;
                string body;
                int attempt;
                // CROSS JOIN keeps the jobs outer: open jobs in order (batch_jobs_open), each one's pending items
                // (batch_items_pending), stopping at the first match rather than sorting every pending item.
                using (SqliteCommand next = Command(
                    connection,
                    """
                    SELECT i.request_id, i.idx, j.model, i.body, i.attempts
                    FROM batch_jobs AS j CROSS JOIN batch_items AS i ON i.request_id = j.request_id
                    WHERE j.finished IS NULL AND i.status <> 2 AND (i.status = 0 OR i.lease_until <= $now)
                    ORDER BY j.created, j.request_id, i.idx
                    LIMIT 1;
                    """))
                {
                    next.Parameters.AddWithValue("$now", nowMs);
                    using SqliteDataReader reader = await next.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        return null;
                    }

                    requestId = reader.GetString(0);
                    index = reader.GetInt32(1);
                    model = reader.GetString(2);
                    body = reader.GetString(3);
                    attempt = reader.GetInt32(4) + 1;
                }

                string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                using (SqliteCommand take = Command(
                    connection,
                    "UPDATE batch_items SET status = 1, lease_owner = $node, lease_token = $token, lease_until = $until, attempts = $attempt WHERE request_id = $id AND idx = $idx;"))
                {
                    take.Parameters.AddWithValue("$node", node);
                    take.Parameters.AddWithValue("$token", token);
                    take.Parameters.AddWithValue("$until", until);
                    take.Parameters.AddWithValue("$attempt", attempt);
                    take.Parameters.AddWithValue("$id", requestId);
                    take.Parameters.AddWithValue("$idx", index);
                    await take.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                transaction.Commit();
                return new BatchLease(requestId, index, model, body, attempt, token);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> RenewAsync(IReadOnlyCollection<BatchLease> leases, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.Count == 0)
        {
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(StringComparer.Ordinal));
        }

        long untilMs = ToMs(until);
        return RunAsync<IReadOnlySet<string>>(
            async (connection, ct) =>
            {
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                using SqliteCommand renew = Command(
                    connection,
                    "UPDATE batch_items SET lease_until = $until WHERE request_id = $id AND idx = $idx AND status = 1 AND lease_token = $token;");
                renew.Parameters.AddWithValue("$until", untilMs);
                SqliteParameter id = renew.Parameters.Add("$id", SqliteType.Text);
                SqliteParameter idx = renew.Parameters.Add("$idx", SqliteType.Integer);
                SqliteParameter token = renew.Parameters.Add("$token", SqliteType.Text);
                var held = new HashSet<string>(StringComparer.Ordinal);
                foreach (BatchLease lease in leases)
                {
                    id.Value = lease.RequestId;
                    idx.Value = lease.Index;
                    token.Value = lease.Token;
                    if (await renew.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0)
                    {
                        held.Add(lease.Token);
                    }
                }

                transaction.Commit();
                return held;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<BatchLeaseEnd> CompleteAsync(BatchLease lease, BatchItemResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(result);
        return FinishAsync(
            lease,
            now,
            """
            UPDATE batch_items SET status = 2, success = $success, result = $result, lease_token = NULL, lease_until = NULL
            WHERE request_id = $id AND idx = $idx AND status = 1 AND lease_token = $token
            RETURNING status;
            """,
            command =>
            {
                command.Parameters.AddWithValue("$success", result.Success);
                command.Parameters.AddWithValue("$result", result.Result);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<BatchLeaseEnd> RetryAsync(BatchLease lease, BatchItemResult failure, int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        return FinishAsync(
            lease,
            now,
            """
            UPDATE batch_items SET
                status = CASE WHEN attempts < $max THEN 0 ELSE 2 END,
                success = CASE WHEN attempts < $max THEN NULL ELSE $success END,
                result = CASE WHEN attempts < $max THEN NULL ELSE $result END,
                lease_owner = CASE WHEN attempts < $max THEN NULL ELSE lease_owner END,
                lease_token = NULL,
                lease_until = NULL
            WHERE request_id = $id AND idx = $idx AND status = 1 AND lease_token = $token
            RETURNING status;
            """,
            command =>
            {
                command.Parameters.AddWithValue("$max", maxAttempts);
                command.Parameters.AddWithValue("$success", failure.Success);
                command.Parameters.AddWithValue("$result", failure.Result);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> DeleteFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken)
    {
        long cutoff = ToMs(finishedBefore);
        return RunAsync(
            async (connection, ct) =>
            {
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                using (SqliteCommand items = Command(
                    connection,
                    "DELETE FROM batch_items WHERE request_id IN (SELECT request_id FROM batch_jobs WHERE finished < $cutoff);"))
                {
                    items.Parameters.AddWithValue("$cutoff", cutoff);
                    await items.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                int deleted;
                using (SqliteCommand jobs = Command(connection, "DELETE FROM batch_jobs WHERE finished < $cutoff;"))
                {
                    jobs.Parameters.AddWithValue("$cutoff", cutoff);
                    deleted = await jobs.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                transaction.Commit();
                return deleted;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<BatchCounts> CountAsync(CancellationToken cancellationToken) => RunAsync(
        async (connection, ct) =>
        {
            using SqliteCommand count = Command(
                connection,
                """
                SELECT
                    (SELECT COUNT(*) FROM batch_items WHERE status = 0),
                    (SELECT COUNT(*) FROM batch_items WHERE status = 1),
                    (SELECT COUNT(*) FROM batch_items WHERE status = 2),
                    (SELECT COUNT(*) FROM batch_jobs WHERE finished IS NULL);
                """);
            using SqliteDataReader reader = await count.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return new BatchCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        },
        cancellationToken);

    private static long ToMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static BatchItemStatus ToStatus(long status) => status switch
    {
        0 => BatchItemStatus.Queued,
        1 => BatchItemStatus.Running,
        2 => BatchItemStatus.Done,
        _ => throw new BatchStoreException(string.Create(CultureInfo.InvariantCulture, $"Unknown item status {status} in the batch database.")),
    };

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using SqliteCommand command = Command(connection, sql);
        object? value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Applies a lease's last update (complete or retry; it returns the item's new status), then, when the item is done,
    /// finishes the job if no item is left to run (one probe of the pending-items index, not a read of the job).
    /// </summary>
    private Task<BatchLeaseEnd> FinishAsync(BatchLease lease, DateTimeOffset now, string update, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        long nowMs = ToMs(now);
        return RunAsync(
            async (connection, ct) =>
            {
                using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
                using (SqliteCommand command = Command(connection, update))
                {
                    command.Parameters.AddWithValue("$id", lease.RequestId);
                    command.Parameters.AddWithValue("$idx", lease.Index);
                    command.Parameters.AddWithValue("$token", lease.Token);
                    bind(command);
                    object? status = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                    if (status is null)
                    {
                        return BatchLeaseEnd.Lost;
                    }

                    if (Convert.ToInt64(status, CultureInfo.InvariantCulture) != StatusDone)
                    {
                        transaction.Commit();
                        return BatchLeaseEnd.Requeued;
                    }
                }

                int finished;
                using (SqliteCommand finish = Command(
                    connection,
                    """
                    UPDATE batch_jobs SET finished = $now
                    WHERE request_id = $id AND finished IS NULL
                        AND NOT EXISTS (SELECT 1 FROM batch_items WHERE request_id = $id AND status <> 2);
                    """))
                {
                    finish.Parameters.AddWithValue("$now", nowMs);
                    finish.Parameters.AddWithValue("$id", lease.RequestId);
                    finished = await finish.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                transaction.Commit();
                return finished > 0 ? BatchLeaseEnd.JobFinished : BatchLeaseEnd.Done;
            },
            cancellationToken);
    }

    /// <summary>Runs one call on its own connection; SQLite's failures become <see cref="BatchStoreException"/> naming the file.</summary>
    private async Task<T> RunAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, _busyTimeoutPragma, cancellationToken).ConfigureAwait(false);
            return await work(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode == SqliteFull)
        {
            throw new BatchStoreException($"The batch database '{_filePath}' cannot be written: its disk is full ({exception.Message})", exception) { StorageFull = true };
        }
        catch (SqliteException exception)
        {
            throw new BatchStoreException($"The batch database '{_filePath}' cannot be used: {exception.Message}", exception);
        }
    }
}
