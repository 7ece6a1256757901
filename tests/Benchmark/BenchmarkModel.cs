using System.Globalization;
using Ember.Models.Catalog;
using Ember.Models.Writing;

namespace Ember.Benchmark;

/// <summary>The benchmark's model folders: written when missing or stamped with other arguments, kept otherwise.</summary>
internal static class BenchmarkModel
{
    /// <summary>Writes the model into <paramref name="folder"/> unless its stamp says it holds it already.</summary>
    /// <returns>The seconds the writing took; <see langword="null"/> when the folder was kept.</returns>
    public static async Task<double?> EnsureAsync(string folder, string preset, LlamaShape shape, ModelVariant variant, LlamaWriterOptions writerOptions, CancellationToken cancellationToken)
    {
        var stampPath = Path.Combine(folder, LlamaModelWriter.StampFileName);
        if (File.Exists(stampPath) && await File.ReadAllTextAsync(stampPath, cancellationToken).ConfigureAwait(false) == LlamaModelWriter.Stamp(shape, variant, writerOptions))
        {
            return null;
        }

        Console.Error.WriteLine($"Writing the {preset} model ({shape}), {LlamaModelWriter.FolderName(variant)}, around {writerOptions.Tokenizer}, {writerOptions.KvCache} KV cache, to {folder} ...");
        var writing = System.Diagnostics.Stopwatch.StartNew();
        await LlamaModelWriter.WriteAsync(folder, shape, variant, writerOptions, cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote it in {writing.Elapsed.TotalSeconds:F1} s."));
        return writing.Elapsed.TotalSeconds;
    }
}
