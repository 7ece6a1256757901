using System.Text.Json;
using System.Text.Json.Nodes;
using Ember.Host.Diagnostics;
using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Responses;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Runtime.Generation;
using Microsoft.Extensions.Options;

namespace Ember.Host.Batch;

/// <summary>
/// Workers AI's batch API on the <c>run</c> route: <c>POST …/ai/run/{model}?queueRequest=true</c> with
/// <c>{"requests":[…]}</c> submits a job (<c>{"status":"queued","request_id","model"}</c>); the same route with
/// <c>{"request_id":…}</c> polls it (<c>{"status":"queued"|"running",…}</c>, then <c>{"responses":[…],"usage":{…}}</c>).
/// </summary>
/// <remarks>
/// Each item is checked as an interactive request would be; a bad item is stored with its error and fails alone. A job
/// belongs to the account id of its path and, with bearer tokens configured, to the token that submitted it: a poll
/// from another gets the unknown-id error. Thread-safe singleton.
/// </remarks>
public sealed class BatchEndpoint
{
    private readonly IBatchStore _store;
    private readonly TimeProvider _time;
    private readonly BatchOptions _options;
    private readonly ILogger<BatchEndpoint> _logger;
    private readonly IAdapterResolver? _adapters;

    /// <summary>Creates the endpoint.</summary>
    /// <param name="store">Where jobs are kept.</param>
    /// <param name="time">The clock.</param>
    /// <param name="options">The batch options.</param>
    /// <param name="logger">Logs submissions and refusals.</param>
    /// <param name="adapters">Resolves each item's <c>lora</c> for the submitter (fine-tunes); <see langword="null"/>: taken as it is.</param>
    public BatchEndpoint(IBatchStore store, TimeProvider time, IOptions<BatchOptions> options, ILogger<BatchEndpoint> logger, IAdapterResolver? adapters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _adapters = adapters;
    }

    /// <summary>Reads a <c>queueRequest</c> body (up to <see cref="BatchOptions.MaxBodyBytes"/>) and submits or polls.</summary>
    public async Task HandleAsync(HttpContext context, ModelHandle model)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parsed<JsonDocument> body = await RequestBodyReader.ReadJsonAsync(context.Request, BatchOptions.MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            await GenerationExchange.FailAsync(context, _logger, body.Error).ConfigureAwait(false);
            return;
        }

        using JsonDocument document = body.Value;
        await HandleAsync(context, model, document.RootElement).ConfigureAwait(false);
    }

    /// <summary>Submits (<c>requests</c>) or polls (<c>request_id</c>) with a body already read.</summary>
    public Task HandleAsync(HttpContext context, ModelHandle model, JsonElement root)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("request_id", out JsonElement requestId))
        {
            return PollAsync(context, model, requestId);
        }

        return SubmitAsync(context, model, root);
    }

    /// <summary>Whether a body is a poll: an object with <c>request_id</c> and neither <c>prompt</c> nor <c>messages</c>.</summary>
    public static bool IsPoll(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("request_id", out _) && !root.TryGetProperty("prompt", out _) && !root.TryGetProperty("messages", out _);

    private async Task SubmitAsync(HttpContext context, ModelHandle model, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("requests", out JsonElement requests)
            || requests.ValueKind != JsonValueKind.Array || requests.GetArrayLength() is 0 || requests.GetArrayLength() > _options.MaxItems)
        {
            await FailAsync(context, ErrorMapping.InvalidInput("requests", $"must be a non-empty array of at most {_options.MaxItems} requests")).ConfigureAwait(false);
            return;
        }

        var items = new List<BatchItem>(requests.GetArrayLength());
        foreach (JsonElement item in requests.EnumerateArray())
        {
            items.Add(Check(context, items.Count, item, model));
        }

        var job = new BatchJob(BatchIds.NewRequestId(), model.Id, AccountOf(context), BatchIds.OwnerOf(context.Request.Headers.Authorization), _time.GetUtcNow());
        try
        {
            await _store.SubmitAsync(job, items, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BatchStoreException e)
        {
            HostLog.RuntimeFailure(_logger, model.Id, e);
            await FailAsync(context, e.StorageFull ? ErrorMapping.BatchStoreFull() : ErrorMapping.Internal()).ConfigureAwait(false);
            return;
        }

        int refused = items.Count(item => item.Refused is not null);
        HostLog.BatchSubmitted(_logger, job.RequestId, model.Id, items.Count, refused);
        await context.Response.WriteAsJsonAsync(new ApiEnvelope<BatchQueued>(new BatchQueued("queued", job.RequestId, model.Id)), HostJson.Context.ApiEnvelopeBatchQueued, contentType: null, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// An item as stored: its body, reference, and its error when it breaks the rules of an interactive request. An
    /// adapter the submitter's account picks by a fine-tune's name is stored by the fine-tune's id, which the worker
    /// (knowing no account) runs it with.
    /// </summary>
    private BatchItem Check(HttpContext context, int index, JsonElement item, ModelHandle model)
    {
        string path = $"requests[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            return new BatchItem(index, item.GetRawText(), null, Refusal(ErrorMapping.InvalidInput(path, "must be an object")));
        }

        string? reference = null;
        if (JsonFields.TryGet(item, "external_reference", out JsonElement referenceElement))
        {
            if (!JsonFields.TryGetText(referenceElement, out reference) || reference.Length > 1024)
            {
                return new BatchItem(index, item.GetRawText(), null, Refusal(ErrorMapping.InvalidInput(path + ".external_reference", "must be a string of at most 1024 characters")));
            }
        }

        Parsed<TextGenerationRequest> parsed = RunRequestParser.Parse(item, model.Limits);
        if (!parsed.Succeeded)
        {
            return new BatchItem(index, item.GetRawText(), reference, Refusal(parsed.Error));
        }

        if (parsed.Value.Lora is { } lora && _adapters is not null)
        {
            Parsed<string> adapter = _adapters.Resolve(context, model, lora);
            if (!adapter.Succeeded)
            {
                return new BatchItem(index, item.GetRawText(), reference, Refusal(adapter.Error));
            }

            if (adapter.Value != lora)
            {
                JsonObject body = JsonNode.Parse(item.GetRawText())!.AsObject();
                body["lora"] = adapter.Value;
                return new BatchItem(index, body.ToJsonString(), reference, null);
            }
        }

        return new BatchItem(index, item.GetRawText(), reference, null);
    }

    /// <summary>An error as an item's result: <c>{"code","message"}</c>.</summary>
    internal static BatchItemResult Refusal(ApiError error) =>
        new(false, JsonSerializer.Serialize(new ApiErrorItem(error.Code, error.Message), HostJson.Context.ApiErrorItem));

    private async Task PollAsync(HttpContext context, ModelHandle model, JsonElement requestId)
    {
        BatchJobState? state = null;
        if (JsonFields.TryGetText(requestId, out string? id) && id.Length is > 0 and <= 64)
        {
            try
            {
                state = await _store.FindAsync(id, context.RequestAborted).ConfigureAwait(false);
            }
            catch (BatchStoreException e)
            {
                HostLog.RuntimeFailure(_logger, model.Id, e);
                await FailAsync(context, e.StorageFull ? ErrorMapping.BatchStoreFull() : ErrorMapping.Internal()).ConfigureAwait(false);
                return;
            }
        }

        // Another account's, another token's, another model's, expired or never made: all the same unknown id.
        if (state is null || state.Job.AccountId != AccountOf(context) || state.Job.Model != model.Id
            || (state.Job.Owner is { } owner && owner != BatchIds.OwnerOf(context.Request.Headers.Authorization)))
        {
            await FailAsync(context, ErrorMapping.InvalidInput("request_id", "no batch request with this id (it may have expired)")).ConfigureAwait(false);
            return;
        }

        if (state.Finished is null)
        {
            string status = state.Items.Any(item => item.Status == BatchItemStatus.Running || (item.Status == BatchItemStatus.Done && item.Attempts > 0)) ? "running" : "queued";
            await context.Response.WriteAsJsonAsync(new ApiEnvelope<BatchQueued>(new BatchQueued(status, state.Job.RequestId, model.Id)), HostJson.Context.ApiEnvelopeBatchQueued, contentType: null, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var responses = new List<BatchResponseItem>(state.Items.Count);
        var (prompt, completion, cached) = (0, 0, 0);
        foreach (BatchItemState item in state.Items)
        {
            using JsonDocument result = JsonDocument.Parse(item.Result?.Result ?? "null");
            if (item.Result is { Success: true } && result.RootElement.TryGetProperty("usage", out JsonElement usage))
            {
                prompt += usage.GetProperty("prompt_tokens").GetInt32();
                completion += usage.GetProperty("completion_tokens").GetInt32();
                cached += usage.TryGetProperty("prompt_tokens_details", out JsonElement details) ? details.GetProperty("cached_tokens").GetInt32() : 0;
            }

            responses.Add(new BatchResponseItem(item.Index, result.RootElement.Clone(), item.Result?.Success ?? false, item.ExternalReference));
        }

        var done = new BatchResponses(responses, new WireUsage(prompt, completion, prompt + completion) { PromptTokensDetails = new(cached) });
        await context.Response.WriteAsJsonAsync(new ApiEnvelope<BatchResponses>(done), HostJson.Context.ApiEnvelopeBatchResponses, contentType: null, context.RequestAborted).ConfigureAwait(false);
    }

    private static string AccountOf(HttpContext context) => context.Request.RouteValues["account_id"] as string ?? string.Empty;

    private Task FailAsync(HttpContext context, ApiError error) => GenerationExchange.FailAsync(context, _logger, error);
}
