using System.Diagnostics.CodeAnalysis;

namespace Ember.Models.Catalog;

/// <summary>The element type of a model's key/value cache.</summary>
public enum KvCacheType
{
    /// <summary>Whatever the model's graph declares: float32 or float16 for Ember's own models, and what a builder export carries (int8 included).</summary>
    Model,

    /// <summary>
    /// Signed 8-bit keys and values with a fixed scale (<c>GroupQueryAttention</c>'s quantized cache): a quarter of a
    /// float32 cache's bytes and half of a float16 one's. Ember's writer writes it; a builder export carries it or not.
    /// </summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Names the precision, as ModelVariant.Int8 does; not a type.")]
    Int8,
}
