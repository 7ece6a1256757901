using System.Text.Json;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Models.Catalog;
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
/// The schema is migrated in <see cref="StartAsync"/>, before the host listens: a store that cannot be opened refuses
/// the start. At shutdown the items in hand go back to the queue at once, for the next node (or this one restarted).
/// </remarks>
public sealed class BatchWorker : BackgroundService
{
    private readonly IBatchStore _store;
    private readonly IAiTextGeneration _generation;
    private readonly IModelInventory _inventory;
    private readonly BatchProgress _progress;
    private readonly BatchMeters _meters;
    private readonly TimeProvider _time;
    private readonly BatchOptions _options;
    private readonly ILogger<BatchWorker> _logger;
    private readonly string _node = $"{Environment.MachineName}/{Environment.ProcessId}/{BatchIds.NewRequestId()[..8]}";

    /// <summary>Creates the worker.</summary>
    public BatchWorker(IBatchStore store, IAiTextGeneration generation, IModelInventory inventory, BatchProgress progress, BatchMeters meters, TimeProvider time, IOptions<BatchOptions> options, ILogger<BatchWorker> logger)
    {
        _meters = meters;
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _generation = generation;
        _inventory = inventory;
        _progress = progress;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll([.. Enumerable.Range(0, _options.Concurrency).Select(_ => RunItemsAsync(stoppingToken)), DeleteExpiredAsync(stoppingToken)]);

    private async Task RunItemsAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (await _store.LeaseAsync(_node, _time.GetUtcNow(), _options.LeaseDuration, stopping).ConfigureAwait(false) is { } lease)
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
#pragma warning disable CA1031 // A store outage must not end the worker: it logs and tries again.
            catch (Exception e) when (e is BatchStoreException or InvalidOperationException or IOException)
#pragma warning restore CA1031
            {
                HostLog.BatchWorkerFailed(_logger, e);
                await DelayQuietlyAsync(stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(BatchLease lease, CancellationToken stopping)
    {
        if (!ModelCatalog.TryGet(lease.Model, out CatalogEntry? model))
        {
            await CompleteAsync(lease, BatchEndpoint.Refusal(ErrorMapping.NoSuchModel(lease.Model)), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        Parsed<TextGenerationRequest> parsed;
        using (JsonDocument body = JsonDocument.Parse(lease.Body))
        {
            parsed = RunRequestParser.Parse(body.RootElement, _inventory.LimitsOf(model));
        }

        if (!parsed.Succeeded)
        {
            await CompleteAsync(lease, BatchEndpoint.Refusal(parsed.Error), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var request = parsed.Value with { Stream = false, RejectIfBusy = false, Priority = RequestPriority.Batch };
        var started = _time.GetTimestamp();
        try
        {
            TextGenerationResult result = await _generation.RunAsync(model.Id, request, stopping).ConfigureAwait(false);
            var answer = new RunResult(result.Response, WireUsage.From(result.Usage));
            await CompleteAsync(lease, new BatchItemResult(true, JsonSerializer.Serialize(answer, HostJson.Context.RunResult)), CancellationToken.None).ConfigureAwait(false);
            _meters.ItemRan(_time.GetElapsedTime(started).TotalSeconds, success: true);
        }
        catch (AiTextGenerationException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the item goes back to the queue now rather than when its lease expires.
            await _store.RetryAsync(lease, BatchEndpoint.Refusal(ErrorMapping.Internal()), int.MaxValue, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
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
                    await _store.RetryAsync(lease, failure, int.MaxValue, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                    await DelayQuietlyAsync(stopping).ConfigureAwait(false);
                    break;
                case AiErrorKind.Timeout or AiErrorKind.RuntimeFailure or AiErrorKind.Cancelled:
                    if (await _store.RetryAsync(lease, failure, _options.MaxAttempts, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false)
                        && lease.Attempt >= _options.MaxAttempts)
                    {
                        await ReportAsync(lease.RequestId).ConfigureAwait(false);
                    }

                    break;
                default:
                    // Bad input, a limit, a model not installed: trying again cannot help.
                    await CompleteAsync(lease, failure, CancellationToken.None).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task CompleteAsync(BatchLease lease, BatchItemResult result, CancellationToken cancellationToken)
    {
        if (await _store.CompleteAsync(lease, result, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            await ReportAsync(lease.RequestId).ConfigureAwait(false);
        }
    }

    private async Task CountAsync(CancellationToken cancellationToken) =>
        _meters.Counted(await _store.CountAsync(cancellationToken).ConfigureAwait(false));

    private async Task ReportAsync(string requestId)
    {
        var finished = (await _store.FindAsync(requestId, CancellationToken.None).ConfigureAwait(false))?.Finished is not null;
        if (finished)
        {
            HostLog.BatchFinished(_logger, requestId);
        }

        _progress.Completed(requestId, finished);
    }

    private async Task DeleteExpiredAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _store.DeleteFinishedAsync(_time.GetUtcNow() - _options.Retention, stopping).ConfigureAwait(false);
                await CountAsync(stopping).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromSeconds(10), _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // As above: a store outage is logged and tried again.
            catch (Exception e) when (e is BatchStoreException or InvalidOperationException or IOException)
#pragma warning restore CA1031
            {
                HostLog.BatchWorkerFailed(_logger, e);
                await DelayQuietlyAsync(stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task DelayQuietlyAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(_options.PollInterval, _time, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
