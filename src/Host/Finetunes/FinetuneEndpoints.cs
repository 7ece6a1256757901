using System.Globalization;
using System.Text;
using System.Text.Json;
using Ember.Host.Configuration;
using Ember.Host.Errors;
using Ember.Host.Json;
using Ember.Host.Responses;
using Ember.Host.Routing;
using Ember.Host.Validation;
using Ember.Host.Wire;
using Ember.Models.Lora;
using Ember.Runtime.Generation;
using Ember.Runtime.Pool;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Ember.Host.Finetunes;

/// <summary>
/// Workers AI's finetunes API: <c>POST …/ai/finetunes</c> creates a fine-tune (<c>{model, name, description, public}</c>),
/// <c>POST …/ai/finetunes/{finetune_id}/finetune-assets</c> uploads one of its two files (multipart <c>file_name</c> and
/// <c>file</c>), <c>GET …/ai/finetunes</c> lists the account's and <c>GET …/ai/finetunes/public</c> every account's public
/// ones. Each call is scoped as the batch API's: the account id of the path and, with tokens configured, the token.
/// </summary>
/// <remarks>Thread-safe singleton; the <see cref="FinetuneStore"/> keeps the state.</remarks>
public sealed class FinetuneEndpoints
{
    private static readonly string[] OrderColumns = ["created_at", "modified_at", "name"];

    private readonly FinetuneStore _store;
    private readonly IModelInventory _inventory;
    private readonly ILogger<FinetuneEndpoints> _logger;
    private readonly long _maxBodyBytes;

    /// <summary>Creates the endpoints.</summary>
    /// <param name="store">The fine-tunes.</param>
    /// <param name="inventory">Resolves a fine-tune's model for its upload limits.</param>
    /// <param name="options">The limit of a create body.</param>
    /// <param name="logger">Logs refusals.</param>
    public FinetuneEndpoints(FinetuneStore store, IModelInventory inventory, IOptions<EmberHostOptions> options, ILogger<FinetuneEndpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(inventory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _inventory = inventory;
        _logger = logger;
        _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Maps the four routes; where the fine-tunes are not registered (a host without the runtime), each answers that the API is not enabled.</summary>
    /// <param name="endpoints">The route builder.</param>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(ApiRoutes.Finetunes, (HttpContext context) => With(context, finetunes => finetunes.CreateAsync(context)));
        endpoints.MapGet(ApiRoutes.Finetunes, (HttpContext context) => With(context, finetunes => finetunes.ListAsync(context)));
        endpoints.MapGet(ApiRoutes.PublicFinetunes, (HttpContext context) => With(context, finetunes => finetunes.ListPublicAsync(context)));
        endpoints.MapPost(ApiRoutes.FinetuneAssets, (HttpContext context) => With(context, finetunes => finetunes.UploadAsync(context)));
    }

    /// <summary>Handles <c>POST finetunes</c>.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public async Task CreateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Parsed<JsonDocument> body = await RequestBodyReader.ReadJsonAsync(context.Request, _maxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (!body.Succeeded)
        {
            await FailAsync(context, body.Error).ConfigureAwait(false);
            return;
        }

        string? model, name, description;
        bool isPublic;
        using (JsonDocument document = body.Value)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await FailAsync(context, ErrorMapping.InvalidInput("body", "must be a JSON object with model and name")).ConfigureAwait(false);
                return;
            }

            var fields = new JsonFields();
            model = fields.ReadString(root, "model", "model", 1, 256);
            name = fields.ReadString(root, "name", "name", 1, 256);
            description = fields.ReadString(root, "description", "description", 0, FinetuneLimits.MaxDescriptionLength);
            isPublic = fields.ReadBoolean(root, "public", "public") ?? false;
            ApiError? error = fields.Error
                ?? (model is null ? ErrorMapping.InvalidInput("model", "is required") : null)
                ?? (name is null ? ErrorMapping.InvalidInput("name", "is required") : null);
            if (error is not null)
            {
                await FailAsync(context, error).ConfigureAwait(false);
                return;
            }
        }

        Parsed<Finetune> created = await _store.CreateAsync(FinetuneCaller.From(context), model!, name!, description, isPublic, context.RequestAborted).ConfigureAwait(false);
        if (!created.Succeeded)
        {
            await FailAsync(context, created.Error).ConfigureAwait(false);
            return;
        }

        await context.Response.WriteAsJsonAsync(new ApiEnvelope<FinetuneItem>(Item(created.Value)), HostJson.Context.ApiEnvelopeFinetuneItem, contentType: null, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Handles <c>GET finetunes</c>: the caller's fine-tunes, oldest first.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task ListAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<FinetuneItem> items = [.. _store.List(FinetuneCaller.From(context)).Select(Item)];
        return context.Response.WriteAsJsonAsync(new ApiEnvelope<IReadOnlyList<FinetuneItem>>(items), HostJson.Context.ApiEnvelopeIReadOnlyListFinetuneItem, contentType: null, context.RequestAborted);
    }

    /// <summary>Handles <c>GET finetunes/public?limit=&amp;offset=&amp;orderBy=</c>: every account's public fine-tunes, by <c>created_at</c> unless <c>orderBy</c> names <c>modified_at</c> or <c>name</c>.</summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public Task ListPublicAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IQueryCollection query = context.Request.Query;
        Parsed<int> limit = QueryInteger.Read(query, "limit", 1, FinetuneLimits.MaxPageSize, FinetuneLimits.MaxPageSize);
        if (!limit.Succeeded)
        {
            return FailAsync(context, limit.Error);
        }

        Parsed<int> offset = QueryInteger.Read(query, "offset", 0, int.MaxValue, 0, "must be an integer from 0");
        if (!offset.Succeeded)
        {
            return FailAsync(context, offset.Error);
        }

        string order = query["orderBy"].ToString() is { Length: > 0 } given ? given : "created_at";
        if (!OrderColumns.Contains(order))
        {
            return FailAsync(context, ErrorMapping.InvalidInput("orderBy", $"must be one of {string.Join(", ", OrderColumns)}"));
        }

        IEnumerable<Finetune> all = _store.ListPublic();
        all = order switch
        {
            "modified_at" => all.OrderBy(finetune => finetune.ModifiedAt),
            "name" => all.OrderBy(finetune => finetune.Name, StringComparer.Ordinal),
            _ => all,
        };
        IReadOnlyList<FinetuneItem> items = [.. all.Skip(offset.Value).Take(limit.Value).Select(Item)];
        return context.Response.WriteAsJsonAsync(new ApiEnvelope<IReadOnlyList<FinetuneItem>>(items), HostJson.Context.ApiEnvelopeIReadOnlyListFinetuneItem, contentType: null, context.RequestAborted);
    }

    /// <summary>
    /// Handles <c>POST finetunes/{finetune_id}/finetune-assets</c>: streams the <c>file</c> part to a temporary file in
    /// the fine-tune's folder (refusing it as soon as it passes the limit of its kind), then has the store check it and
    /// keep it. The upload that completes a fine-tune is answered once the model serves it.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public async Task UploadAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string id = context.Request.RouteValues["finetune_id"] as string ?? string.Empty;
        if (_store.Find(FinetuneCaller.From(context), id) is not { } entry)
        {
            // Another account's, another token's, or none: the same answer.
            await FailAsync(context, UnknownId()).ConfigureAwait(false);
            return;
        }

        if (entry.Served)
        {
            await FailAsync(context, ServedAlready()).ConfigureAwait(false);
            return;
        }

        if (_inventory.Resolve(entry.Finetune.Model)?.AdapterTarget is not { } target)
        {
            await FailAsync(context, ErrorMapping.InvalidInput("model", $"{entry.Finetune.Model} takes no LoRA adapters here")).ConfigureAwait(false);
            return;
        }

        string? boundary = Boundary(context.Request.ContentType);
        if (boundary is null)
        {
            await FailAsync(context, ErrorMapping.InvalidInput("body", "must be multipart/form-data with the fields file_name and file")).ConfigureAwait(false);
            return;
        }

        // The body may be the largest adapter the model takes: this route counts the file's bytes itself.
        RequestBodyReader.LetKestrelDrain(context.Request);

        string upload = _store.NewUploadPath(id);
        try
        {
            Parsed<string> fileName = await ReadFormAsync(context, boundary, upload, target.Limits.MaxBytes).ConfigureAwait(false);
            if (!fileName.Succeeded)
            {
                await FailAsync(context, fileName.Error).ConfigureAwait(false);
                return;
            }

            Parsed<FinetuneAssetItem> stored = await _store.AcceptAsync(id, fileName.Value, upload, context.RequestAborted).ConfigureAwait(false);
            if (!stored.Succeeded)
            {
                await FailAsync(context, stored.Error).ConfigureAwait(false);
                return;
            }

            await context.Response.WriteAsJsonAsync(new ApiEnvelope<FinetuneAssetItem>(stored.Value), HostJson.Context.ApiEnvelopeFinetuneAssetItem, contentType: null, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(upload);
        }
    }

    /// <summary>The answer to an upload to a fine-tune already served (5006).</summary>
    public static ApiError ServedAlready() => ErrorMapping.InvalidInput("file_name", "the fine-tune is served already; its files cannot change (create another fine-tune)");

    /// <summary>The unknown-id answer (5006), as the batch API's for a request id.</summary>
    public static ApiError UnknownId() => ErrorMapping.InvalidInput("finetune_id", "no fine-tune with this id");

    /// <summary>
    /// Reads the form: <c>file_name</c> (one of the two PEFT names), and <c>file</c> written to <paramref name="upload"/>,
    /// refused once it passes the limit of its kind (<paramref name="maxWeightBytes"/> for the weights,
    /// <see cref="FinetuneLimits.MaxConfigBytes"/> for the config; the larger while the name is not known yet).
    /// </summary>
    /// <returns>The file's name, or the refusal.</returns>
    private static async Task<Parsed<string>> ReadFormAsync(HttpContext context, string boundary, string upload, long maxWeightBytes)
    {
        CancellationToken aborted = context.RequestAborted;
        string? fileName = null;
        bool hasFile = false;
        var reader = new MultipartReader(boundary, context.Request.Body) { HeadersLengthLimit = 16 * 1024 };
        try
        {
            while (await reader.ReadNextSectionAsync(aborted).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out ContentDispositionHeaderValue? disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    return ErrorMapping.InvalidInput("body", "every part must be a form field (Content-Disposition: form-data; name=…)");
                }

                string field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                if (field == "file")
                {
                    long most = fileName switch
                    {
                        PeftAdapterConfig.FileName => FinetuneLimits.MaxConfigBytes,
                        LoraAdapter.WeightsFileName => maxWeightBytes,
                        _ => Math.Max(FinetuneLimits.MaxConfigBytes, maxWeightBytes),
                    };
                    if (!await CopyAsync(section.Body, upload, most, aborted).ConfigureAwait(false))
                    {
                        return ErrorMapping.InvalidInput("file", string.Create(CultureInfo.InvariantCulture, $"{fileName ?? "the file"} is above the limit of {most} bytes"));
                    }

                    hasFile = true;
                    continue;
                }

                string? text = await ReadFieldAsync(section.Body, aborted).ConfigureAwait(false);
                if (text is null)
                {
                    return ErrorMapping.InvalidInput(field, string.Create(CultureInfo.InvariantCulture, $"must be at most {FinetuneLimits.MaxFieldBytes} bytes of UTF-8"));
                }

                if (field == "file_name")
                {
                    if (text is not (PeftAdapterConfig.FileName or LoraAdapter.WeightsFileName))
                    {
                        return ErrorMapping.InvalidInput("file_name", $"must be {PeftAdapterConfig.FileName} or {LoraAdapter.WeightsFileName}");
                    }

                    fileName = text;
                }
            }
        }
        catch (IOException e)
        {
            // A malformed multipart body (InvalidDataException), or the client stopped sending (BadHttpRequestException).
            return ErrorMapping.InvalidInput("body", "is not complete multipart/form-data: " + e.Message);
        }

        return fileName is null ? ErrorMapping.InvalidInput("file_name", "is required")
            : !hasFile ? ErrorMapping.InvalidInput("file", "is required")
            : new Parsed<string>(fileName);
    }

    /// <summary>Copies <paramref name="body"/> to <paramref name="path"/> and flushes it to disk; false, having stopped, once it passes <paramref name="most"/> bytes.</summary>
    /// <exception cref="IOException">The body could not be read (malformed, or the client stopped sending).</exception>
    /// <exception cref="InvalidOperationException">The file could not be written (a full disk): the server's failure, not the request's.</exception>
    private static async Task<bool> CopyAsync(Stream body, string path, long most, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long written = 0;
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            written += read;
            if (written > most)
            {
                return false;
            }

            try
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException($"The upload could not be written to {path}: {e.Message}", e);
            }
        }

        try
        {
            file.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"The upload could not be written to {path}: {e.Message}", e);
        }

        return true;
    }

    /// <summary>A small form field's text, or <see langword="null"/> when it is over <see cref="FinetuneLimits.MaxFieldBytes"/> or not UTF-8.</summary>
    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[FinetuneLimits.MaxFieldBytes + 1];
        int length = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
            if (length > FinetuneLimits.MaxFieldBytes)
            {
                return null;
            }
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(buffer, 0, length).Trim();
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The boundary of a <c>multipart/form-data</c> content type, or <see langword="null"/>.</summary>
    private static string? Boundary(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? type)
        && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        && HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 and <= 200 } boundary
            ? boundary
            : null;

    private static FinetuneItem Item(Finetune finetune) =>
        new(finetune.Id, finetune.Name, finetune.Description, finetune.Model, finetune.Public, FinetuneStore.Stamp(finetune.CreatedAt), FinetuneStore.Stamp(finetune.ModifiedAt));

    private static Task With(HttpContext context, Func<FinetuneEndpoints, Task> handle) =>
        context.RequestServices.GetService<FinetuneEndpoints>() is { } finetunes
            ? handle(finetunes)
            : ApiErrorWriter.WriteAsync(context, ErrorMapping.InvalidInput("finetunes", "the finetunes API is not enabled on this server"));

    private Task FailAsync(HttpContext context, ApiError error) => GenerationExchange.FailAsync(context, _logger, error);
}
