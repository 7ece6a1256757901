using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Ember.Models.Catalog;
using Ember.Models.Chat;
using Ember.Models.Writing;
using Ember.Runtime.Engine;
using Ember.Runtime.Pool;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Benchmark;

/// <summary>
/// The int8 KV cache's effect on the output (<c>--kv-drift</c>): the same weights written with the float cache and
/// with the int8 one; each of the benchmark's fixed prompts (chat template applied) decoded greedily for
/// <see cref="Generated"/> tokens on the float cache; the int8 cache then fed the same tokens (teacher forcing), and
/// each token's log-probability compared; and the int8 cache's own greedy run against the float one's. The float
/// cache's largest entry says how close the writer's fixed scale comes to saturating.
/// </summary>
internal static class KvDrift
{
    private const int Generated = 32;
    private const int Prompts = 8;

    public static async Task<int> RunAsync(string preset, LlamaShape shape, ModelVariant variant, LlamaWriterOptions writerOptions, string floatFolder, string int8Folder, CancellationToken cancellationToken)
    {
        await BenchmarkModel.EnsureAsync(floatFolder, preset, shape, variant, writerOptions with { KvCache = KvCacheType.Model }, cancellationToken).ConfigureAwait(false);
        await BenchmarkModel.EnsureAsync(int8Folder, preset, shape, variant, writerOptions with { KvCache = KvCacheType.Int8 }, cancellationToken).ConfigureAwait(false);
        var template = ChatTemplates.For(ModelCatalog.Get(ModelCatalog.TinyLlamaId).Template);
        int[][] prompts;
        using (var tokenizer = GenAIModel.LoadTokenizer(floatFolder, int.MaxValue))
        {
            prompts = [.. Enumerable.Range(0, Prompts).Select(i => tokenizer.Encode(PromptBuilder.FromPrompt(template, BenchmarkPrompts.For(i))))];
        }

        var floatLayout = DecoderLayout.Read(floatFolder);
        var int8Layout = DecoderLayout.Read(int8Folder);
        var length = prompts.Max(p => p.Length) + Generated;
        using var exact = DecoderSession.Load(floatLayout, 1, length, 0, spinning: false);
        using var quantized = DecoderSession.Load(int8Layout, 1, length, 0, spinning: false);
        var deltas = new List<double>();
        var agreeing = 0;
        var identical = 0;
        var prefixes = 0;
        var largest = 0f;
        foreach (var prompt in prompts)
        {
            var reference = Greedy(exact, prompt, forced: null);
            largest = Math.Max(largest, LargestEntry(exact.Cache, prompt.Length + Generated - 1));
            var forced = Greedy(quantized, prompt, reference.Tokens);
            deltas.AddRange(reference.LogProbabilities.Zip(forced.LogProbabilities, (a, b) => Math.Abs(a - b)));
            agreeing += forced.ArgMaxes.Zip(reference.Tokens).Count(pair => pair.First == pair.Second);
            var free = Greedy(quantized, prompt, forced: null).Tokens;
            var prefix = free.Zip(reference.Tokens).TakeWhile(pair => pair.First == pair.Second).Count();
            prefixes += prefix;
            identical += prefix == Generated ? 1 : 0;
        }

        deltas.Sort();
        var text = new StringBuilder();
        text.AppendLine("| preset | variant | tokenizer | KV a token (float → int8) | tokens compared | mean abs Δ log-prob | p99 | max | int8 argmax = float token | identical greedy runs | mean matching greedy prefix | largest float entry (clip) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        text.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {preset} | {LlamaModelWriter.FolderName(variant)} | {writerOptions.Tokenizer} | {KvCacheBudget.BytesPerToken(floatLayout):N0} → {KvCacheBudget.BytesPerToken(int8Layout):N0} B | {deltas.Count} | " +
            $"{deltas.Average():F4} | {deltas[(int)Math.Ceiling(0.99 * deltas.Count) - 1]:F4} | {deltas[^1]:F4} | {agreeing}/{deltas.Count} | {identical}/{prompts.Length} of {Generated} tokens | " +
            $"{prefixes / (double)prompts.Length:F1} | {largest:F2} ({KvCacheQuantization.Clip}) |"));
        Console.WriteLine(text.ToString());
        return 0;
    }

    /// <summary>
    /// <see cref="Generated"/> tokens from <paramref name="prompt"/> in slot 0: the greedy ones, or <paramref name="forced"/>;
    /// each token's log-probability, and the greedy choice at each position.
    /// </summary>
    private static (int[] Tokens, double[] LogProbabilities, int[] ArgMaxes) Greedy(DecoderSession session, int[] prompt, int[]? forced)
    {
        var tokens = new int[Generated];
        var logProbabilities = new double[Generated];
        var argMaxes = new int[Generated];
        var logits = session.Prefill(0, prompt, 0);
        for (var i = 0; i < Generated; i++)
        {
            argMaxes[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits);
            tokens[i] = forced?[i] ?? argMaxes[i];
            logProbabilities[i] = LogSoftmax(logits, tokens[i]);
            if (i + 1 < Generated)
            {
                logits = session.Decode(1, [tokens[i]], [prompt.Length + i]).ToArray();
            }
        }

        return (tokens, logProbabilities, argMaxes);
    }

    private static double LogSoftmax(ReadOnlySpan<float> logits, int token)
    {
        double max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        var sum = 0.0;
        foreach (var logit in logits)
        {
            sum += Math.Exp(logit - max);
        }

        return logits[token] - max - Math.Log(sum);
    }

    /// <summary>The largest magnitude among slot 0's first <paramref name="tokens"/> entries of a float cache, keys and values of every layer.</summary>
    private static float LargestEntry(KvCache cache, int tokens)
    {
        var largest = 0f;
        for (var layer = 0; layer < cache.Layers; layer++)
        {
            foreach (var values in new[] { false, true })
            {
                using var view = values ? cache.Values(layer, 0, 1) : cache.Keys(layer, 0, 1);
                var raw = view.GetTensorMutableRawData();
                var half = cache.ElementType == TensorElementType.Float16;
                for (var head = 0; head < cache.KvHeads; head++)
                {
                    for (var position = 0; position < tokens; position++)
                    {
                        for (var channel = 0; channel < cache.HeadSize; channel++)
                        {
                            var index = (((head * cache.MaxLength) + position) * cache.HeadSize) + channel;
                            var entry = half ? (float)MemoryMarshal.Cast<byte, Half>(raw)[index] : MemoryMarshal.Cast<byte, float>(raw)[index];
                            largest = Math.Max(largest, Math.Abs(entry));
                        }
                    }
                }
            }
        }

        return largest;
    }
}
