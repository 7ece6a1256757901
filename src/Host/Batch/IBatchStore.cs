namespace Ember.Host.Batch;

/// <summary>
/// The durable store of batch jobs (Workers AI's <c>queueRequest</c>): jobs, their items and results, and the leases
/// by which any node takes the next item. SQLite by default (SqliteBatchStore), PostgreSQL when several
/// nodes share the work (PostgresBatchStore).
/// </summary>
/// <remarks>
/// Implementations are thread-safe. Times are the caller's (a <see cref="TimeProvider"/>), so leases and retention are
/// testable without sleeping. An item runs to completion at most once: <see cref="CompleteAsync"/> only takes the result
/// of the lease that currently holds the item.
/// </remarks>
public interface IBatchStore
{
    /// <summary>Creates or upgrades the schema (versioned migrations, applied in order, each once).</summary>
    /// <exception cref="BatchStoreException">The database cannot be opened, is corrupt, or is newer than this build.</exception>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new job and its items, every item queued unless it already has a result (an item refused at submission).</summary>
    Task SubmitAsync(BatchJob job, IReadOnlyList<BatchItem> items, CancellationToken cancellationToken);

    /// <summary>The job and its items' states, or <see langword="null"/> when no job has that id.</summary>
    Task<BatchJobState?> FindAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>
    /// Leases the next item to run, oldest job and lowest index first: a queued item, or a running one whose lease has
    /// expired (its node stopped or died). The item becomes running, held by <paramref name="node"/> until
    /// <paramref name="now"/> + <paramref name="lease"/>, and its attempt count goes up by one.
    /// </summary>
    /// <returns>The leased item, or <see langword="null"/> when there is none.</returns>
    Task<BatchLease?> LeaseAsync(string node, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the leases this node still holds to <paramref name="until"/> (the worker's heartbeat), so an item that
    /// runs longer than one lease is never taken by another node while its node lives.
    /// </summary>
    /// <param name="leases">The leases in hand.</param>
    /// <param name="until">Their new expiry.</param>
    /// <param name="cancellationToken">Abandons the call.</param>
    /// <returns>The tokens of the leases still held, now extended; a lease missing from it was lost.</returns>
    Task<IReadOnlySet<string>> RenewAsync(IReadOnlyCollection<BatchLease> leases, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Stores an item's result, if <paramref name="lease"/> still holds it; a finished job gets its finish time. The
    /// answer says whether the job finished, so that running a job's n items costs n completions and no read of the job.
    /// </summary>
    /// <returns><see cref="BatchLeaseEnd.Done"/> or <see cref="BatchLeaseEnd.JobFinished"/>; <see cref="BatchLeaseEnd.Lost"/> when the lease was lost (expired and taken by another node): the result is dropped.</returns>
    Task<BatchLeaseEnd> CompleteAsync(BatchLease lease, BatchItemResult result, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Gives a leased item back after a failed attempt: queued again while attempts are left (fewer than
    /// <paramref name="maxAttempts"/>), else done with <paramref name="failure"/> as its result.
    /// </summary>
    /// <returns><see cref="BatchLeaseEnd.Requeued"/>, <see cref="BatchLeaseEnd.Done"/> or <see cref="BatchLeaseEnd.JobFinished"/>; <see cref="BatchLeaseEnd.Lost"/> when the lease was lost.</returns>
    Task<BatchLeaseEnd> RetryAsync(BatchLease lease, BatchItemResult failure, int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes jobs that finished before <paramref name="finishedBefore"/>, with their items.</summary>
    /// <returns>How many jobs were deleted.</returns>
    Task<int> DeleteFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken);

    /// <summary>Counts items by status, over every job (for metrics).</summary>
    Task<BatchCounts> CountAsync(CancellationToken cancellationToken);
}
