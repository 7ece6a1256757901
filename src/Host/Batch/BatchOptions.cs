using System.ComponentModel.DataAnnotations;

namespace Ember.Host.Batch;

/// <summary>
/// The batch API's options (<c>Batch</c> in <c>runtime.json</c>): where jobs are stored, how items are leased and retried,
/// and how long results are kept.
/// </summary>
public sealed class BatchOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Batch";

    /// <summary>The largest batch submission body: Workers AI's 10 MB.</summary>
    public const long MaxBodyBytes = 10_000_000;

    /// <summary>Gets or sets the folder of the SQLite database (<c>batch.db</c>), relative to the configuration file; used when no <see cref="PostgresConnectionString"/> is set.</summary>
    public string Folder { get; set; } = "batch";

    /// <summary>Gets or sets a PostgreSQL connection string: several Ember nodes then share one queue. <see langword="null"/>: SQLite.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Gets or sets how long a node holds an item before another may take it (a node that died mid-item leaves it for this long).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how many times an item is tried before it fails with its last error.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets how long a finished job's results are kept before they are deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the most items one job may hold.</summary>
    [Range(1, 100_000)]
    public int MaxItems { get; set; } = 10_000;

    /// <summary>Gets or sets how many items this node runs at once (they wait behind interactive requests in the queue).</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 4;

    /// <summary>Gets or sets how long an idle worker waits before it looks for items again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
