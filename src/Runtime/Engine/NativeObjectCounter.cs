namespace Ember.Runtime.Engine;

/// <summary>
/// Counts the native objects (ORT GenAI models, tokenizers, generators, generator parameters, tokenizer streams;
/// ONNX Runtime decoder sessions with their KV caches)
/// that Ember has created and not yet disposed, so tests can prove that shutdown leaves none behind.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public static class NativeObjectCounter
{
    private static long s_live;

    /// <summary>Objects created and not yet disposed, process-wide.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    /// <summary>Records a creation and returns the object.</summary>
    internal static T Track<T>(T created)
        where T : IDisposable
    {
        Interlocked.Increment(ref s_live);
        return created;
    }

    /// <summary>Disposes a tracked object and records it.</summary>
    internal static void Release(IDisposable? created)
    {
        if (created is null)
        {
            return;
        }

        created.Dispose();
        Interlocked.Decrement(ref s_live);
    }
}
