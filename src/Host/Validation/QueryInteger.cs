using System.Globalization;
using Ember.Host.Errors;
using Ember.Runtime.Generation;
using Microsoft.AspNetCore.Http;

namespace Ember.Host.Validation;

/// <summary>An integer query parameter within a range, or its default when absent or empty.</summary>
/// <remarks>Stateless.</remarks>
public static class QueryInteger
{
    /// <summary>
    /// Reads <paramref name="name"/> from <paramref name="query"/>: <paramref name="defaultValue"/> when absent or empty,
    /// the value when a whole number in [<paramref name="min"/>, <paramref name="max"/>], otherwise 5006 naming it with
    /// <paramref name="rule"/> (by default the range's own: "must be an integer from min to max").
    /// </summary>
    public static Parsed<int> Read(IQueryCollection query, string name, int min, int max, int defaultValue, string? rule = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        string? text = query[name];
        if (string.IsNullOrEmpty(text))
        {
            return new Parsed<int>(defaultValue);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? new Parsed<int>(value)
            : ErrorMapping.InvalidInput(name, rule ?? new RequestRange(min, max).Rule(RequestFieldType.WholeNumber));
    }
}
