using System.Text;

namespace Ember.Models.Writing;

/// <summary>
/// SplitMix64: a tiny pseudo-random generator whose sequence is fixed by its seed on every platform
/// and runtime version, so that written weights are byte-identical.
/// </summary>
/// <remarks>
/// Its state only advances by a constant, so the <c>i</c>-th value can be computed directly (<see cref="SignedAt"/>):
/// a tensor's values can be made in any order and on several threads, and still equal the sequential stream.
/// Immutable and thread-safe.
/// </remarks>
internal sealed class SeededRandom
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private readonly ulong _origin;

    /// <summary>A generator for one named tensor: the same (seed, name) always gives the same stream.</summary>
    public SeededRandom(ulong seed, string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        _origin = seed ^ hash;
    }

    /// <summary>The stream's value at <paramref name="index"/> (0 is the first), uniform in [-1, 1).</summary>
    public float SignedAt(long index)
    {
        var z = unchecked(_origin + ((ulong)(index + 1) * Gamma));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (float)(((z >> 40) / (double)(1UL << 24) * 2.0) - 1.0);
    }

    /// <summary>The first <paramref name="count"/> values, scaled to a uniform distribution of the given standard deviation.</summary>
    public float[] Uniform(int count, float standardDeviation)
    {
        var values = new float[count];
        Fill(values, 0, standardDeviation);
        return values;
    }

    /// <summary>Fills <paramref name="values"/> with the values from <paramref name="start"/> on, scaled as <see cref="Uniform"/> scales them.</summary>
    public void Fill(Span<float> values, long start, float standardDeviation)
    {
        var limit = Limit(standardDeviation);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = SignedAt(start + i) * limit;
        }
    }

    /// <summary>The bound of the uniform distribution with the given standard deviation: √3 σ.</summary>
    public static float Limit(float standardDeviation) => standardDeviation * MathF.Sqrt(3f);
}
