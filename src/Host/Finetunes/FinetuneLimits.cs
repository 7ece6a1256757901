namespace Ember.Host.Finetunes;

/// <summary>The limits of the finetunes API (docs/lora.md names each); a model's own adapter limits are its <c>Lora:</c> keys.</summary>
public static class FinetuneLimits
{
    /// <summary>The most fine-tunes one account (with one token, where tokens are configured) may have: Workers AI's 100.</summary>
    public const int MaxPerAccount = 100;

    /// <summary>The longest description, in characters.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>The largest <c>adapter_config.json</c> taken, in bytes (PEFT writes about 1 KB).</summary>
    public const long MaxConfigBytes = 1024 * 1024;

    /// <summary>The most a form field other than <c>file</c> may hold, in bytes.</summary>
    public const int MaxFieldBytes = 1024;

    /// <summary>The most fine-tunes <c>finetunes/public</c> answers at once (its <c>limit</c>).</summary>
    public const int MaxPageSize = 1000;
}
