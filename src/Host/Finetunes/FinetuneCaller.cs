using Ember.Host.Batch;

namespace Ember.Host.Finetunes;

/// <summary>
/// Who calls the finetunes API or picks a fine-tune, as the batch API scopes its jobs: the account id of the path and,
/// with bearer tokens configured, a digest of the token.
/// </summary>
/// <param name="AccountId">The account id in the path.</param>
/// <param name="Owner">The token's digest (<see cref="BatchIds.OwnerOf"/>), or <see langword="null"/> without one.</param>
public readonly record struct FinetuneCaller(string AccountId, string? Owner)
{
    /// <summary>The caller of <paramref name="context"/>.</summary>
    public static FinetuneCaller From(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new(context.Request.RouteValues["account_id"] as string ?? string.Empty, BatchIds.OwnerOf(context.Request.Headers.Authorization));
    }

    /// <summary>Whether <paramref name="finetune"/> is this caller's: made under the same account id and, if it was made with a token, the same token.</summary>
    public bool Owns(Finetune finetune)
    {
        ArgumentNullException.ThrowIfNull(finetune);
        return finetune.AccountId == AccountId && (finetune.Owner is null || finetune.Owner == Owner);
    }
}
