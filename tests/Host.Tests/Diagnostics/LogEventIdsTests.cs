using System.Reflection;
using Ember.Models.Catalog;
using Ember.Runtime.Options;
using Microsoft.Extensions.Logging;

namespace Ember.Host.Tests.Diagnostics;

/// <summary>
/// Every <see cref="LoggerMessageAttribute"/> in the three src assemblies, found by reflection: each has an event id of
/// its own, so a log query by id finds one message.
/// </summary>
public sealed class LogEventIdsTests
{
    private static readonly Assembly[] Sources = [typeof(EmberHost).Assembly, typeof(EmberOptions).Assembly, typeof(CatalogEntry).Assembly];

    [Fact]
    public void LoggerMessages_AcrossSrc_EachHasItsOwnNonZeroEventId()
    {
        var messages = LoggerMessages();

        Assert.All(messages, message => Assert.True(message.EventId > 0, $"{message.Name} has no event id."));
        var repeated = messages.GroupBy(message => message.EventId).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(message => message.Name))}").ToArray();
        Assert.True(repeated.Length == 0, "Event ids used twice: " + string.Join("; ", repeated));
    }

    [Fact]
    public void LoggerMessages_AcrossSrc_FoundInTheHostAndTheRuntime()
    {
        var messages = LoggerMessages();

        Assert.Equal(["Ember.Host.Diagnostics.HostLog", "Ember.Runtime.Diagnostics.Log"], messages.Select(message => message.Type).Distinct().Order(StringComparer.Ordinal));
    }

    private static List<(string Type, string Name, int EventId)> LoggerMessages() =>
        [.. from assembly in Sources
            from type in assembly.GetTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
            where attribute is not null
            select (type.FullName!, type.Name + "." + method.Name, attribute.EventId)];
}
