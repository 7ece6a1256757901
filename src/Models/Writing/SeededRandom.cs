using System.Text;

namespace Ember.Models.Writing;

/// <summary>
/// SplitMix64: a tiny pseudo-random generator whose sequence is fixed by its seed on every platform
/// and runtime version, so that written weights are byte-identical.
/// </summary>
/// <remarks>Not thread-safe.</remarks>
internal sealed class SeededRandom
{
    private ulong _state;

    /// <summary>A generator for one named tensor: the same (seed, name) always gives the same stream.</summary>
    public SeededRandom(ulong seed, string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        _state = seed ^ hash;
    }

    /// <summary>Next value, uniform in [-1, 1).</summary>
    public float NextSigned()
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (float)(((z >> 40) / (double)(1UL << 24) * 2.0) - 1.0);
    }

    /// <summary>Values uniform with the given standard deviation.</summary>
    public float[] Uniform(int count, float standardDeviation)
    {
        var limit = standardDeviation * MathF.Sqrt(3f);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = NextSigned() * limit;
        }

        return values;
    }
}
