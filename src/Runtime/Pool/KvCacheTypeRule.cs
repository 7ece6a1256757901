using Ember.Models.Catalog;
using Ember.Runtime.Engine;
using Ember.Runtime.Options;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Ember.Runtime.Pool;

/// <summary>
/// The start-up rule of <see cref="ModelOptions.KvCacheType"/>: an int8 cache is asked of a graph that has one (Ember's
/// own models are written with it; a builder export carries it or not). A graph's cache type is fixed by its
/// <c>GroupQueryAttention</c> nodes, so a float graph cannot be run with an int8 cache.
/// </summary>
/// <remarks>Stateless.</remarks>
internal static class KvCacheTypeRule
{
    /// <summary>Throws when <paramref name="options"/> ask for a cache type that the graph of <paramref name="layout"/> does not have.</summary>
    /// <param name="id">The model's catalog id, for the key in the message.</param>
    /// <param name="options">Its configuration.</param>
    /// <param name="layout">Its decoder's layout, which holds the graph's cache type.</param>
    /// <exception cref="InvalidOperationException">The graph cannot take the cache asked for; the message names the key.</exception>
    public static void Check(string id, ModelOptions options, DecoderLayout layout)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(layout);
        if (options.KvCacheType == KvCacheType.Int8 && layout.Types.Cache != TensorElementType.Int8)
        {
            throw new InvalidOperationException(
                $"{EmberOptions.SectionName}:Models:{id}:{nameof(ModelOptions.KvCacheType)}: {KvCacheType.Int8} asks for an int8 KV cache, but the graph in " +
                $"{options.Folder} keeps its cache in {layout.Types.Cache}, and a graph's cache type is fixed when it is written. Ember writes its own models " +
                $"with one ({nameof(ModelOptions.Generate)}); export other models with the model builder's kv_cache_quant_type=int8, or set " +
                $"{nameof(ModelOptions.KvCacheType)} to {KvCacheType.Model}.");
        }
    }
}
