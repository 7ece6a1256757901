using Ember.Models.Lora;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Engine;

/// <summary>
/// The decoder as the continuous scheduler's executor sees it: a KV cache of <see cref="Slots"/> slots, and the calls
/// that run tokens into them. <see cref="DecoderSession"/> runs it on ONNX Runtime; the scheduler's own tests run a
/// scripted one without ONNX.
/// </summary>
/// <remarks>Used by the owning scheduler thread only.</remarks>
internal interface IDecoder : IDisposable
{
    /// <summary>Gets the width of the logits.</summary>
    int VocabSize { get; }

    /// <summary>Gets the number of sequences the cache holds at once.</summary>
    int Slots { get; }

    /// <summary>Gets the longest sequence (prompt and generated tokens) a slot holds.</summary>
    int MaxLength { get; }

    /// <summary>Gets the provider it runs on, and what the decoder can do there.</summary>
    DecoderProvider Provider { get; }

    /// <summary>
    /// Gets a value indicating whether <see cref="Step"/> takes several rows of several tokens each beside rows of one
    /// (the graph's <c>GroupQueryAttention</c> takes <c>query_seqlens</c>); when false the executor calls
    /// <see cref="Prefill"/> and <see cref="Decode"/>.
    /// </summary>
    bool MixedSteps { get; }

    /// <summary>Gets the number of LoRA adapters served; a slot's adapter (<see cref="SelectAdapter"/>) is below it.</summary>
    int Adapters { get; }

    /// <summary>Sets the adapter the sequence in <paramref name="slot"/> runs with in the calls that follow: one in [0, <see cref="Adapters"/>), or -1 for none.</summary>
    void SelectAdapter(int slot, int adapter);

    /// <summary>
    /// Serves <paramref name="adapters"/> from the next call on, after those served already, which keep their numbers
    /// (the first added is the <see cref="Adapters"/> before the call); every slot keeps its adapter. Called between steps.
    /// </summary>
    /// <exception cref="NotSupportedException">The graph takes no adapters.</exception>
    /// <exception cref="AiTextGenerationException">Stacking the adapters failed; those served before stay.</exception>
    void AddAdapters(IReadOnlyList<LoraAdapter> adapters);

    /// <summary>Gets the <see cref="System.Diagnostics.Stopwatch"/> ticks the last call spent inside ONNX Runtime's <c>Run</c>.</summary>
    long LastRunTicks { get; }

    /// <summary>Copies slot <paramref name="from"/>'s first <paramref name="tokens"/> entries into slot <paramref name="to"/> (prefix caching).</summary>
    /// <exception cref="AiTextGenerationException">The copy failed.</exception>
    void CopyPrefix(int from, int to, int tokens);

    /// <summary>
    /// Runs the next <paramref name="chunk"/> of a prompt into <paramref name="slot"/>, whose first
    /// <paramref name="pastLength"/> positions are already in the cache, and returns the chunk's last-position logits.
    /// </summary>
    /// <exception cref="AiTextGenerationException">The run failed.</exception>
    float[] Prefill(int slot, ReadOnlySpan<int> chunk, int pastLength);

    /// <summary>
    /// One decode step for slots [0, <paramref name="rows"/>): row b takes <paramref name="tokens"/>[b] at position
    /// <paramref name="lengths"/>[b] (its tokens so far). Returns logits [rows, vocab], valid until the next call.
    /// </summary>
    /// <exception cref="AiTextGenerationException">The run failed.</exception>
    ReadOnlySpan<float> Decode(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> lengths);

    /// <summary>
    /// Gets a value indicating whether <see cref="Step"/> takes logit counts, so that a row of drafted tokens is verified
    /// in the step (speculative decoding; the graph takes <c>logit_counts</c>). Only when <see cref="MixedSteps"/>.
    /// </summary>
    bool Verifies { get; }

    /// <summary>
    /// One mixed step for slots [0, <paramref name="rows"/>) (only when <see cref="MixedSteps"/>): row b feeds
    /// <paramref name="counts"/>[b] tokens (0: the row is idle and its cache untouched; 1: a decode token; more: a
    /// prefill chunk, or a decode token and drafted ones), taken in order from <paramref name="tokens"/>, after its first
    /// <paramref name="pastLengths"/>[b] entries. Returns logits [outputs, vocab], valid until the next call: with no
    /// <paramref name="logitCounts"/>, one a row, row b's those of its last fed token (an idle row's unspecified); with
    /// them (only when <see cref="Verifies"/>; logitCounts[b] ≤ counts[b]), those of row b's last logitCounts[b] fed
    /// tokens, in order, row after row.
    /// </summary>
    /// <exception cref="NotSupportedException">The decoder cannot run mixed steps, or cannot verify and logit counts were given.</exception>
    /// <exception cref="AiTextGenerationException">The run failed.</exception>
    ReadOnlySpan<float> Step(int rows, ReadOnlySpan<int> tokens, ReadOnlySpan<int> counts, ReadOnlySpan<int> pastLengths, ReadOnlySpan<int> logitCounts = default);
}
