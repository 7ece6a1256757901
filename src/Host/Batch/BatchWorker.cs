using System.Collections.Concurrent;
using System.Text.Json;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.Extensions.Options;

namespace Ember.Host.Batch;

/// <summary>
/// Runs batch items on this node: <see cref="BatchOptions.Concurrency"/> loops each lease the next item from the store,
/// run it as the interactive request would run (at <see cref="RequestPriority.Batch"/>, so it waits behind every
/// interactive request of its replica's queue) and store its result; a failed attempt is retried up to
/// <see cref="BatchOptions.MaxAttempts"/> times. It also deletes finished jobs past their retention.
/// </summary>
/// <remarks>
/// <para>
/// The schema is migrated in <see cref="StartAsync"/>, before the host listens: a store that cannot be opened refuses
/// the start. At shutdown the items in hand go back to the queue at once, for the next node (or this one restarted).
/// </para>
/// <para>
/// A heartbeat renews the leases of every item in hand each third of <see cref="BatchOptions.LeaseDuration"/>, so an
/// item that runs longer than one lease stays this node's while it lives; a node that dies stops renewing, and its
/// items go to any node one lease after its last heartbeat. A lease the heartbeat finds lost (the store was out of
/// reach for longer than a lease, and another node took the item) stops the item's run here. A failed store call is
/// retried after a <see cref="BatchStoreBackoff"/> delay (exponential, capped at <see cref="MaxStoreBackoff"/>,
/// jittered), a result included, for as long as its lease is held. Completing an item answers whether its job
/// finished, so a job of n items costs n leases and n completions and no read of the job.
/// </para>
/// </remarks>
public sealed class BatchWorker : BackgroundService
{
    /// <summary>The longest wait between two tries of a failing store.</summary>
    public static readonly TimeSpan MaxStoreBackoff = TimeSpan.FromSeconds(30);

    private readonly IBatchStore _store;
    private readonly IAiTextGeneration _generation;
    private readonly IModelInventory _inventory;
    private readonly BatchProgress _progress;
    private readonly BatchMeters _meters;
    private readonly TimeProvider _time;
    private readonly BatchOptions _options;
    private readonly ILogger<BatchWorker> _logger;
    private readonly BatchStoreBackoff _backoff;

    /// <summary>When the worker started: the heartbeat beats at this time plus each third of a lease.</summary>
    private DateTimeOffset _heartbeatOrigin;
    private readonly ConcurrentDictionary<string, ItemInHand> _inHand = new(StringComparer.Ordinal);
    private readonly string _node = $"{Environment.MachineName}/{Environment.ProcessId}/{BatchIds.NewRequestId()[..8]}";

    /// <summary>Creates the worker.</summary>
    public BatchWorker(IBatchStore store, IAiTextGeneration generation, IModelInventory inventory, BatchProgress progress, BatchMeters meters, TimeProvider time, IOptions<BatchOptions> options, ILogger<BatchWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(generation);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _generation = generation;
        _inventory = inventory;
        _progress = progress;
        _meters = meters;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _backoff = new BatchStoreBackoff(_options.PollInterval, TimeSpan.FromTicks(Math.Max(_options.PollInterval.Ticks, MaxStoreBackoff.Ticks)), time, logger);
    }

    /// <summary>Gets the back-off the worker's loops share, to read how many store calls failed in a row.</summary>
    public BatchStoreBackoff Backoff => _backoff;

    /// <summary>Gets how many items this node holds now (leased and not yet ended).</summary>
    public int ItemsInHand => _inHand.Count;

    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        _heartbeatOrigin = _time.GetUtcNow();
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll([.. Enumerable.Range(0, _options.Concurrency).Select(_ => RunItemsAsync(stoppingToken)), HeartbeatAsync(stoppingToken), DeleteExpiredAsync(stoppingToken)]);

    private static bool IsStoreFailure(Exception e) => e is BatchStoreException or InvalidOperationException or IOException;

    private async Task RunItemsAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                BatchLease? lease = await _store.LeaseAsync(_node, _time.GetUtcNow(), _options.LeaseDuration, stopping).ConfigureAwait(false);
                _backoff.Succeeded();
                if (lease is not null)
                {
                    await RunAsync(lease, stopping).ConfigureAwait(false);
                    continue;
                }

                await Task.Delay(_options.PollInterval, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A store outage must not end the worker: it backs off and tries again.
            catch (Exception e) when (IsStoreFailure(e))
#pragma warning restore CA1031
            {
                await DelayQuietlyAsync(_backoff.Failed(e), stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(BatchLease lease, CancellationToken stopping)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var item = new ItemInHand(lease, lost);
        _inHand[lease.Token] = item;
        try
        {
            await RunHeldAsync(item, stopping).ConfigureAwait(false);
        }
        finally
        {
            _inHand.TryRemove(lease.Token, out _);
        }
    }

    private async Task RunHeldAsync(ItemInHand item, CancellationToken stopping)
    {
        BatchLease lease = item.Lease;
        if (_inventory.Resolve(lease.Model) is not { } model)
        {
            await EndAsync(item, BatchEndpoint.Refusal(ErrorMapping.NoSuchModel(lease.Model)), maxAttempts: null, stopping).ConfigureAwait(false);
            return;
        }

        Parsed<TextGenerationRequest> parsed;
        using (JsonDocument body = JsonDocument.Parse(lease.Body))
        {
            parsed = RunRequestParser.Parse(body.RootElement, model.Limits);
        }

        if (!parsed.Succeeded)
        {
            await EndAsync(item, BatchEndpoint.Refusal(parsed.Error), maxAttempts: null, stopping).ConfigureAwait(false);
            return;
        }

        var request = parsed.Value with { Stream = false, RejectIfBusy = false, Priority = RequestPriority.Batch };
        var started = _time.GetTimestamp();
        TextGenerationResult result;
        try
        {
            result = await _generation.RunAsync(model, request, item.Lost.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AiTextGenerationException or OperationCanceledException && item.Lost.IsCancellationRequested)
        {
            await LetGoAsync(lease, stopping).ConfigureAwait(false);
            return;
        }
        catch (AiTextGenerationException e)
        {
            _meters.ItemRan(_time.GetElapsedTime(started).TotalSeconds, success: false);
            HostLog.BatchItemFailed(_logger, lease.RequestId, lease.Index, lease.Attempt, e.Kind.ToString());
            var failure = BatchEndpoint.Refusal(ErrorMapping.FromRuntime(e));
            switch (e.Kind)
            {
                case AiErrorKind.Busy:
                    // The queue was full: not the item's fault, so no attempt is spent.
                    await EndAsync(item, failure, int.MaxValue, stopping).ConfigureAwait(false);
                    await DelayQuietlyAsync(_options.PollInterval, stopping).ConfigureAwait(false);
                    break;
                case AiErrorKind.Timeout or AiErrorKind.RuntimeFailure or AiErrorKind.Cancelled:
                    await EndAsync(item, failure, _options.MaxAttempts, stopping).ConfigureAwait(false);
                    break;
                default:
                    // Bad input, a limit, a model not installed: trying again cannot help.
                    await EndAsync(item, failure, maxAttempts: null, stopping).ConfigureAwait(false);
                    break;
            }

            return;
        }

        if (result.FinishReason == FinishReason.Cancelled)
        {
            // The run was cut (shutting down, or the lease lost) and answered with what it had: a partial answer is
            // never stored as the item's.
            await LetGoAsync(lease, stopping).ConfigureAwait(false);
            return;
        }

        var answer = new RunResult(result.Response, WireUsage.From(result.Usage));
        await EndAsync(item, new BatchItemResult(true, JsonSerializer.Serialize(answer, HostJson.Context.RunResult)), maxAttempts: null, stopping).ConfigureAwait(false);
        _meters.ItemRan(_time.GetElapsedTime(started).TotalSeconds, success: true);
    }

    /// <summary>
    /// Stores the item's result (no <paramref name="maxAttempts"/>) or gives it back for another attempt, retrying a
    /// failing store with back-off while the heartbeat keeps the lease, and reports what became of the item and its job.
    /// </summary>
    private async Task EndAsync(ItemInHand item, BatchItemResult result, int? maxAttempts, CancellationToken stopping)
    {
        BatchLease lease = item.Lease;
        item.Ending = true;
        while (true)
        {
            try
            {
                BatchLeaseEnd end = maxAttempts is int max
                    ? await _store.RetryAsync(lease, result, max, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false)
                    : await _store.CompleteAsync(lease, result, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                _backoff.Succeeded();
                if (end is BatchLeaseEnd.Done or BatchLeaseEnd.JobFinished)
                {
                    if (end == BatchLeaseEnd.JobFinished)
                    {
                        HostLog.BatchFinished(_logger, lease.RequestId);
                    }

                    _progress.Completed(lease.RequestId, end == BatchLeaseEnd.JobFinished);
                }
                else if (end == BatchLeaseEnd.Lost)
                {
                    HostLog.BatchLeaseLost(_logger, lease.RequestId, lease.Index, lease.Attempt);
                }

                return;
            }
#pragma warning disable CA1031 // As above: the result is kept and stored once the store answers again.
            catch (Exception e) when (IsStoreFailure(e))
#pragma warning restore CA1031
            {
                TimeSpan delay = _backoff.Failed(e);
                if (stopping.IsCancellationRequested || item.Lost.IsCancellationRequested)
                {
                    // Stopping, or the lease is gone: the item runs again where its lease is next taken.
                    return;
                }

                await DelayQuietlyAsync(delay, stopping).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An item whose run was cut: given back now when shutting down, else (its lease lost) left to the node that holds it.</summary>
    private async Task LetGoAsync(BatchLease lease, CancellationToken stopping)
    {
        if (stopping.IsCancellationRequested)
        {
            // Shutting down: the item goes back to the queue now rather than when its lease expires.
            await GiveBackAsync(lease).ConfigureAwait(false);
        }
        else
        {
            HostLog.BatchLeaseLost(_logger, lease.RequestId, lease.Index, lease.Attempt);
        }
    }

    private async Task GiveBackAsync(BatchLease lease)
    {
        try
        {
            await _store.RetryAsync(lease, BatchEndpoint.Refusal(ErrorMapping.Internal()), int.MaxValue, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Stopping: an item that cannot be given back goes to the next node when its lease expires.
        catch (Exception e) when (IsStoreFailure(e))
#pragma warning restore CA1031
        {
            _backoff.Failed(e);
        }
    }

    /// <summary>
    /// Renews the leases in hand each third of a lease; stops the run of an item whose lease was lost. The beats keep to
    /// a schedule from the worker's start, not from the end of the last beat, so a beat that waited for a thread or for
    /// the store does not push the next ones later (a beat whose time has passed runs at once, missed ones are skipped).
    /// </summary>
    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        TimeSpan every = _options.LeaseDuration / 3;
        DateTimeOffset next = _heartbeatOrigin + every;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                TimeSpan wait = next - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, stopping).ConfigureAwait(false);
                }

                DateTimeOffset now = _time.GetUtcNow();
                while (next <= now)
                {
                    next += every;
                }

                ItemInHand[] items = [.. _inHand.Values];
                if (items.Length == 0)
                {
                    continue;
                }

                IReadOnlySet<string> held = await _store.RenewAsync([.. items.Select(item => item.Lease)], _time.GetUtcNow() + _options.LeaseDuration, stopping).ConfigureAwait(false);
                _backoff.Succeeded();
                foreach (ItemInHand item in items.Where(item => !held.Contains(item.Lease.Token) && !item.Ending && _inHand.ContainsKey(item.Lease.Token)))
                {
                    await item.Lost.CancelAsync().ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // As above; the next beat tries again.
            catch (Exception e) when (IsStoreFailure(e))
#pragma warning restore CA1031
            {
                _backoff.Failed(e);
            }
        }
    }

    private async Task DeleteExpiredAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _store.DeleteFinishedAsync(_time.GetUtcNow() - _options.Retention, stopping).ConfigureAwait(false);
                _meters.Counted(await _store.CountAsync(stopping).ConfigureAwait(false));
                _backoff.Succeeded();
                await Task.Delay(TimeSpan.FromSeconds(10), _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // As above: a store outage is backed off and tried again.
            catch (Exception e) when (IsStoreFailure(e))
#pragma warning restore CA1031
            {
                await DelayQuietlyAsync(_backoff.Failed(e), stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>An item this node holds: its lease, and the token that stops its run when the lease is lost or the node stops.</summary>
    private sealed class ItemInHand(BatchLease lease, CancellationTokenSource lost)
    {
        public BatchLease Lease { get; } = lease;

        public CancellationTokenSource Lost { get; } = lost;

        /// <summary>Gets or sets whether its result is being stored: the heartbeat still renews it, but no longer stops it.</summary>
        public volatile bool Ending;
    }
}
