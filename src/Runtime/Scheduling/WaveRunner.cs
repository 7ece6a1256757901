using Ember.Runtime.Engine;
using Ember.Runtime.Generation;

namespace Ember.Runtime.Scheduling;

/// <summary>
/// Runs one wave: up to the sequence cap of requests decoded together on one batched ORT GenAI
/// <see cref="GenAIBatch"/> (ORT GenAI's generator), prompts right-padded, each row finished on its own end-of-sequence token, its own
/// <c>max_tokens</c>, or its caller leaving. The wave ends when every row has finished.
/// </summary>
/// <remarks>Runs on the owning worker's scheduler thread only; owns every native object it creates.</remarks>
internal static class WaveRunner
{
    /// <summary>Decodes <paramref name="wave"/> to the end (or until <paramref name="stopping"/>, when unfinished rows fail), writing each row's pieces to its output.</summary>
    /// <exception cref="AiTextGenerationException">ORT GenAI failed; rows not yet finished are failed by the caller.</exception>
    public static void Run(GenAIModel model, IReadOnlyList<SequenceRequest> wave, int padTokenId, CancellationToken stopping)
    {
        var rows = wave.Count;
        var promptWidth = wave.Max(r => r.PromptTokens.Length);
        var maxLength = promptWidth + wave.Max(r => r.MaxTokens);
        var generated = new int[rows];
        var streams = new TokenTextStream?[rows];
        GenAIBatch? batch = null;
        try
        {
            batch = GenAIBatch.Create(model, SearchOptions(wave[0].Sampling, rows, maxLength));
            for (var i = 0; i < rows; i++)
            {
                streams[i] = model.CreateStream();
            }

            var padded = new int[rows * promptWidth];
            Array.Fill(padded, padTokenId);
            for (var i = 0; i < rows; i++)
            {
                wave[i].PromptTokens.CopyTo(padded, i * promptWidth);
            }

            batch.AppendTokens(padded);
            while (wave.Any(r => !r.IsFinished))
            {
                foreach (var row in wave)
                {
                    row.FinishIfAbandoned();
                }

                if (stopping.IsCancellationRequested)
                {
                    var shutdown = SchedulerErrors.ShuttingDown();
                    foreach (var row in wave)
                    {
                        row.Fail(shutdown);
                    }
                }

                if (wave.All(r => r.IsFinished))
                {
                    break;
                }

                var next = batch.NextTokens();
                for (var i = 0; i < rows; i++)
                {
                    Deliver(model, wave[i], streams[i]!, next[i], ref generated[i]);
                }

                if (batch.IsDone)
                {
                    for (var i = 0; i < rows; i++)
                    {
                        if (!wave[i].IsFinished)
                        {
                            wave[i].Finish(FinishReason.Length, streams[i]!.Flush());
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                NativeObjectCounter.Release(stream);
            }

            batch?.Dispose();
        }
    }

    private static List<KeyValuePair<string, object>> SearchOptions(SamplingSettings sampling, int rows, int maxLength)
    {
        var options = new List<KeyValuePair<string, object>>
        {
            new("batch_size", rows),
            new("max_length", maxLength),
            new("do_sample", sampling.DoSample),
            new("repetition_penalty", sampling.RepetitionPenalty),
        };
        if (sampling.DoSample)
        {
            options.Add(new("temperature", sampling.Temperature));
            options.Add(new("top_p", sampling.TopP));
            options.Add(new("top_k", sampling.TopK));
            if (sampling.Seed is { } seed)
            {
                options.Add(new("random_seed", SamplingSettings.FoldSeed(seed)));
            }
        }
        else
        {
            options.Add(new("top_k", 1));
        }

        return options;
    }

    private static void Deliver(GenAIModel model, SequenceRequest row, TokenTextStream stream, int token, ref int generated)
    {
        if (row.IsFinished)
        {
            return;
        }

        // The end token is not published; publishing a token may complete a stop string.
        var stopped = token != model.EosTokenId && row.Output.Publish(new TextPiece(stream.Decode(token), token));
        if (FinishRule.Decide(token, model.EosTokenId, stopped, ++generated, row.MaxTokens, contextFull: false) is { } reason)
        {
            // The wave decodes on without it; the end of the context is the batch's (IsDone).
            row.Finish(reason, stream.Flush());
        }
    }
}
