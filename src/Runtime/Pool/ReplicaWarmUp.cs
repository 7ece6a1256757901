using Ember.Runtime.Generation;
using Ember.Runtime.Scheduling;

namespace Ember.Runtime.Pool;

/// <summary>
/// One short greedy generation on every replica before the pool reports ready, so that a fresh host's first users do
/// not pay the JIT's and ONNX Runtime's first-touch costs (prefill, decode, sampling, detokenizing all run once).
/// Nothing of it is counted: its output has no telemetry, and the model's batch statistics are reset afterwards.
/// </summary>
/// <remarks>Stateless; runs during the pool's start, before any request can arrive.</remarks>
internal static class ReplicaWarmUp
{
    /// <summary>Tokens the warm-up generates: one from the prefill, one from a decode step.</summary>
    public const int Tokens = 2;

    /// <summary>How long a replica may take; a replica that cannot generate two tokens in this time refuses the start.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the warm-up on every replica of <paramref name="served"/>, then resets its statistics.</summary>
    /// <exception cref="AiTextGenerationException">A replica failed or timed out: the model cannot serve.</exception>
    public static async Task RunAsync(string modelId, ServedModel served, CancellationToken cancellationToken)
    {
        foreach (var replica in served.Replicas)
        {
            var prompt = replica.Model.Encode("<s>Hello");
            using var timeout = new CancellationTokenSource(Timeout);
            var output = new TextGeneration(prompt.Length, Tokens);
            var request = new SequenceRequest(modelId, prompt, Tokens, SamplingSettings.Greedy, output, cancellationToken, timeout.Token);
            if (!replica.TryEnqueue(request))
            {
                throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"{replica.Name} refused its warm-up request.");
            }

            try
            {
                await output.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (AiTextGenerationException e)
            {
                throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"{replica.Name} could not generate its warm-up tokens: {e.Message}", e);
            }
        }

        served.Statistics.Reset();
    }
}
