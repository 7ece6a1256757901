using Microsoft.ML.OnnxRuntime;

namespace Ember.Runtime.Engine;

/// <summary>The cache views bound for one run; disposing releases them all.</summary>
internal sealed class CacheViews : IDisposable
{
    private readonly List<OrtValue> _views = [];

    /// <summary>Keeps <paramref name="view"/> until disposal and returns it.</summary>
    public OrtValue Add(OrtValue view)
    {
        _views.Add(view);
        return view;
    }

    /// <inheritdoc/>
    public void Dispose() => _views.ForEach(v => v.Dispose());
}
