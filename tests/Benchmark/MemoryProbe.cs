using System.Diagnostics;
using System.Globalization;

namespace Ember.Benchmark;

/// <summary>Resident-set figures from /proc/&lt;pid&gt;/status (Linux), falling back to <see cref="Process"/> elsewhere.</summary>
internal static class MemoryProbe
{
    /// <summary>VmHWM (peak resident set) of <paramref name="pid"/> in bytes; the current process when null.</summary>
    public static long? PeakRssBytes(int? pid = null) => ReadStatusKb(pid, "VmHWM:") * 1024 ?? Fallback(pid, peak: true);

    /// <summary>VmRSS (current resident set) of <paramref name="pid"/> in bytes; the current process when null.</summary>
    public static long? RssBytes(int? pid = null) => ReadStatusKb(pid, "VmRSS:") * 1024 ?? Fallback(pid, peak: false);

    /// <summary>Resets this process's VmHWM to its current RSS (Linux 4.0+), so a mode's peak is its own; false where not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static long? ReadStatusKb(int? pid, string key)
    {
        var path = $"/proc/{(pid is { } id ? id.ToString(CultureInfo.InvariantCulture) : "self")}/status";
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var digits = line[key.Length..].Trim().Split(' ')[0];
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static long? Fallback(int? pid, bool peak)
    {
        try
        {
            using var process = pid is { } id ? Process.GetProcessById(id) : Process.GetCurrentProcess();
            process.Refresh();
            return peak ? process.PeakWorkingSet64 : process.WorkingSet64;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
