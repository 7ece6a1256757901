using System.Globalization;

namespace Ember.Runtime.Engine;

/// <summary>Sizes in bytes as people read them, for the messages of memory refusals.</summary>
internal static class ByteSize
{
    /// <summary>Bytes as KiB, MiB or GiB with one decimal.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
    };
}
