namespace Ember.Host.Batch;

/// <summary>The batch store cannot be used: the database cannot be opened, is corrupt, locked, or newer than this build.</summary>
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
}
