namespace Ember.Host.Tests.Infrastructure;

/// <summary>
/// The prefix-caching tests, on their own host (<see cref="PrefixCacheHostFixture"/>), one at a time, and after every
/// other collection, alone: they read the prefix-cache counters of <c>@ember/tiny-llama</c> from <c>/metrics</c>, which
/// the README host's requests would add to while it runs (it serves the same id with prefix caching on), and
/// OpenTelemetry's exporter can lose this host's series when another host stops meanwhile (see
/// <see cref="MetricsHostCollectionDefinition"/>).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PrefixCacheHostCollectionDefinition : ICollectionFixture<PrefixCacheHostFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Prefix cache host";
}
