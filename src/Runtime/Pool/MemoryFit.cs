using System.Globalization;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;

namespace Ember.Runtime.Pool;

/// <summary>
/// Checks, before anything is loaded, that the models fit in memory: each replica holds its weights (at least their
/// size on disk, model.onnx and its external data, where the CPU provider keeps them) and its KV cache. A model that
/// does not fit would otherwise fail while loading, or later, when the operating system kills the process.
/// </summary>
/// <remarks>Stateless.</remarks>
internal static class MemoryFit
{
    /// <summary>The memory when <see cref="EmberOptions.MemoryBytes"/> is not set: what the .NET runtime reports available.</summary>
    /// <returns>The bytes, and how they were chosen, for messages.</returns>
    public static (long Bytes, string Source) Default()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (available, "the memory the .NET runtime reports available");
    }

    /// <summary>The size on disk of a decoder: its ONNX file and every file beside it named after it (<c>model.onnx.data</c>).</summary>
    public static long WeightBytes(string modelPath)
    {
        var folder = Path.GetDirectoryName(modelPath)!;
        var name = Path.GetFileName(modelPath);
        return Directory.EnumerateFiles(folder, name + "*").Sum(file => new FileInfo(file).Length);
    }

    /// <summary>Throws when the models' weights and caches together exceed <paramref name="memory"/>.</summary>
    /// <param name="models">Each model: id, options, the weights a replica holds in host memory (0 on a GPU), the KV cache a replica holds in host memory.</param>
    /// <param name="memory">The memory in bytes.</param>
    /// <param name="source">Where the figure came from, for the message.</param>
    /// <exception cref="InvalidOperationException">They do not fit; the message names each model's sizes.</exception>
    public static void Check(IReadOnlyList<(string Id, ModelOptions Options, long WeightBytes, long CacheBytes)> models, long memory, string source)
    {
        var total = models.Sum(model => model.Options.Replicas * (model.WeightBytes + model.CacheBytes));
        if (total <= memory)
        {
            return;
        }

        var details = models.Select(model => string.Create(
            CultureInfo.InvariantCulture,
            $"{model.Id} {ByteSize.Format(model.Options.Replicas * (model.WeightBytes + model.CacheBytes))} ({model.Options.Replicas} replica(s) × ({ByteSize.Format(model.WeightBytes)} of weights + {ByteSize.Format(model.CacheBytes)} of KV cache))"));
        throw new InvalidOperationException(
            $"The models need {ByteSize.Format(total)} of memory, more than the {ByteSize.Format(memory)} there is ({EmberOptions.SectionName}:{nameof(EmberOptions.MemoryBytes)}: {source}): " +
            $"{string.Join("; ", details)}. Use a smaller variant, or lower SequenceCap, Replicas or Limits:ContextTokensLimit.");
    }
}
