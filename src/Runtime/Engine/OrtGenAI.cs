using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Runtime.Engine;

/// <summary>
/// The one place where <see cref="OnnxRuntimeGenAIException"/> is caught: every call into ORT GenAI that can
/// fail goes through <see cref="Guard{T}"/> and comes out as an <see cref="AiTextGenerationException"/>
/// of kind <see cref="AiErrorKind.RuntimeFailure"/>.
/// </summary>
internal static class OrtGenAI
{
    /// <summary>Runs <paramref name="call"/>, translating ORT GenAI's exception.</summary>
    public static T Guard<T>(string what, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (OnnxRuntimeGenAIException e)
        {
            throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"ONNX Runtime GenAI failed to {what}: {e.Message}", e);
        }
    }

    /// <summary>Runs <paramref name="call"/>, translating ORT GenAI's exception.</summary>
    public static void Guard(string what, Action call) => Guard(what, () =>
    {
        call();
        return true;
    });
}
