namespace Ember.Benchmark;

/// <summary>The share of the machine's CPU time left idle over a window, from <c>/proc/stat</c> (Linux); null elsewhere.</summary>
internal sealed class CpuIdleProbe
{
    private readonly (long Idle, long Total)? _start = Read();

    /// <summary>The idle share since this probe was made, in percent of every core's time.</summary>
    public double? IdlePercent()
    {
        if (_start is not { } start || Read() is not { } now || now.Total == start.Total)
        {
            return null;
        }

        return 100.0 * (now.Idle - start.Idle) / (now.Total - start.Total);
    }

    private static (long Idle, long Total)? Read()
    {
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks over every core.
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            return (fields[3] + fields[4], fields.Sum());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
