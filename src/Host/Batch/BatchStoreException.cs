using Ember.Host.Errors;

namespace Ember.Host.Batch;

/// <summary>The batch store cannot be used: the database cannot be opened, is corrupt, locked, newer than this build, or its disk is full.</summary>
public sealed class BatchStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BatchStoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public BatchStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BatchStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets a value indicating whether the store failed for want of space (SQLite's disk full, PostgreSQL's <c>53100</c>): the batch API answers <see cref="ErrorMapping.BatchStoreFull"/>.</summary>
    public bool StorageFull { get; init; }
}
