using System.Globalization;
using System.Text;
using Ember.Models.Writing;
using Ember.Runtime.Engine;
using Ember.Runtime.Pool;

namespace Ember.Benchmark;

/// <summary>The model a run measured: its shape and size, how long it took to write and to load, and the host's idle memory against its weights.</summary>
internal static class ModelFacts
{
    /// <summary>A Markdown table of one row.</summary>
    public static string Render(string preset, string variant, ModelTokenizer tokenizer, LlamaShape shape, string modelFolder, double? writeSeconds, (double Seconds, long? IdleRss)? hostLoad)
    {
        // As the host counts them at start: the decoder's files on disk, and the cache's bytes a token of the graph's cache type.
        var layout = DecoderLayout.Read(modelFolder);
        var weights = MemoryFit.WeightBytes(layout.ModelPath);
        var kvPerToken = KvCacheBudget.BytesPerToken(layout);

        // The slots of the model's whole context that the default KV budget holds: what SequenceCap may be there.
        var (budget, _) = KvCacheBudget.Default();
        var slots = budget / (kvPerToken * layout.ContextLength);
        var text = new StringBuilder();
        text.AppendLine("| preset | variant | tokenizer | parameters | weights on disk | write | host ready | host idle RSS | RSS ÷ weights | KV cache | KV a token | slots of the context in the default budget |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        text.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {preset} | {variant} | {(tokenizer.Folder is null ? "Ember's own" : Path.GetFileName(tokenizer.Folder))} ({tokenizer.VocabSize}) | {shape.ParameterCount / 1e9:F2}B | {weights / 1e9:F2} GB | " +
            $"{(writeSeconds is { } w ? $"{w:F1} s" : "(written before)")} | {(hostLoad is { } load ? $"{load.Seconds:F1} s" : "n/a")} | " +
            $"{(hostLoad?.IdleRss is { } rss ? $"{rss / 1e9:F2} GB" : "n/a")} | {(hostLoad?.IdleRss is { } r ? $"{(double)r / weights:F2}" : "n/a")} | {layout.Types.Cache} | " +
            $"{kvPerToken:N0} B | {slots:N0} × {layout.ContextLength} tokens ({ByteSize.Format(budget)}) |"));
        return text.ToString();
    }
}
