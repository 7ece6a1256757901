namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// The metrics tests, on their own host (<see cref="MetricsHostFixture"/>), one at a time, and after every other
/// collection, alone: OpenTelemetry's exporter merges same-named instruments of every host in the process into one
/// stream, and when another host stops, its disposed instruments can take that stream, and this host's series, away
/// (the queued gauge was missing from 2 of 8 scrapes while other hosts started and stopped).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsHostCollectionDefinition : ICollectionFixture<MetricsHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Metrics host";
}
