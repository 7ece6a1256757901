using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Ember.Host.Tests.Infrastructure;

/// <summary>Scrapes <c>GET /metrics</c> and reads samples out of its Prometheus text.</summary>
public static partial class PrometheusText
{
    /// <summary>Scrapes the host's metrics, asserting a 200 in <c>text/plain</c>.</summary>
    /// <param name="client">An authenticated client of the host.</param>
    /// <returns>The Prometheus text.</returns>
    public static async Task<string> ScrapeAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        using HttpResponseMessage response = await client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>; 0 when there is none yet.</summary>
    /// <param name="scrape">The Prometheus text.</param>
    /// <param name="name">The sample's name, as the exporter prints it.</param>
    /// <param name="labels">Labels the sample must carry, each as <c>name="value"</c>.</param>
    /// <returns>The value.</returns>
    public static double Value(string scrape, string name, string[] labels)
    {
        double[] values = Sample().Matches(scrape)
            .Where(match => match.Groups["name"].Value == name && labels.All(label => match.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Select(match => double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture))
            .ToArray();
        return values.Length == 0 ? 0 : Assert.Single(values);
    }

    [GeneratedRegex("^(?<name>[a-z_]+)\\{(?<labels>[^}]*)\\} (?<value>\\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
