using System.Globalization;

namespace Ember.Benchmark;

/// <summary>How the benchmark's tables write their figures: invariant culture, "n/a" for a figure not measured.</summary>
internal static class TableText
{
    /// <summary><paramref name="value"/> in <paramref name="format"/>, or "n/a".</summary>
    public static string F(double? value, string format = "F1") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A ratio as "1.23x", or "n/a".</summary>
    public static string X(double? value) => value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) + "x" : "n/a";

    /// <summary><paramref name="text"/> formatted in the invariant culture.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary><paramref name="over"/> ÷ <paramref name="under"/>, or null when either is missing or the divisor is not positive.</summary>
    public static double? Ratio(double? over, double? under) => over is { } a && under is { } b && b > 0 ? a / b : null;

    /// <summary>The <c>--set</c> settings as a table title's suffix (", --set K=V …"), or nothing when there are none.</summary>
    public static string SettingsSuffix(BenchmarkOptions options) =>
        options.ModelSettings.Count > 0 ? ", --set " + string.Join(' ', options.ModelSettings.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
}
