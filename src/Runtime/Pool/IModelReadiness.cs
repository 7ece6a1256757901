namespace Ember.Runtime.Pool;

/// <summary>
/// Tells whether the runtime has finished loading the models it was configured with and can serve requests.
/// The host's <c>/readyz</c> probe asks it.
/// </summary>
/// <remarks>Implementations must be thread-safe and cheap: the probe reads <see cref="IsReady"/> on every call.</remarks>
public interface IModelReadiness
{
    /// <summary>Gets a value indicating whether every configured model is loaded and serving.</summary>
    bool IsReady { get; }
}
