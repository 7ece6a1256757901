using System.Globalization;
using System.Text;
using Ember.Models.Writing;

namespace Ember.Benchmark;

/// <summary>The model a run measured: its shape and size, how long it took to write and to load, and the host's idle memory against its weights.</summary>
internal static class ModelFacts
{
    /// <summary>A Markdown table of one row.</summary>
    public static string Render(string preset, string variant, ModelTokenizer tokenizer, LlamaShape shape, string modelFolder, double? writeSeconds, (double Seconds, long? IdleRss)? hostLoad)
    {
        var weights = Directory.EnumerateFiles(modelFolder, "model.onnx*").Sum(file => new FileInfo(file).Length);
        var cacheBytes = variant == "fp16" ? 2 : 4;
        var kvPerToken = (long)shape.Layers * shape.KvHeads * shape.HeadSize * 2 * cacheBytes;
        var text = new StringBuilder();
        text.AppendLine("| preset | variant | tokenizer | parameters | weights on disk | write | host ready | host idle RSS | RSS ÷ weights | KV a token |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        text.AppendLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {preset} | {variant} | {(tokenizer.Folder is null ? "Ember's own" : Path.GetFileName(tokenizer.Folder))} ({tokenizer.VocabSize}) | {shape.ParameterCount / 1e9:F2}B | {weights / 1e9:F2} GB | " +
            $"{(writeSeconds is { } w ? $"{w:F1} s" : "(written before)")} | {(hostLoad is { } load ? $"{load.Seconds:F1} s" : "n/a")} | " +
            $"{(hostLoad?.IdleRss is { } rss ? $"{rss / 1e9:F2} GB" : "n/a")} | {(hostLoad?.IdleRss is { } r ? $"{(double)r / weights:F2}" : "n/a")} | {kvPerToken / 1024.0:F0} KiB |"));
        return text.ToString();
    }
}
