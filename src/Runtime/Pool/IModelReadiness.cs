namespace Ember.Runtime.Pool;

/// <summary>Whether every configured model is loaded and serving (the <c>/readyz</c> probe).</summary>
public interface IModelReadiness
{
    /// <summary>True once every replica of every configured model is loaded, until shutdown begins.</summary>
    bool IsReady { get; }
}
