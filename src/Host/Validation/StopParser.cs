using System.Globalization;
using System.Text.Json;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Reads <c>stop</c> for either API: a string, or an array of at most <see cref="RequestFields.MaxStopStrings"/>
/// strings, each 1 to <see cref="RequestFields.MaxTextLength"/> characters. The runtime applies them.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class StopParser
{
    /// <summary>Reads the field.</summary>
    /// <param name="root">The body.</param>
    /// <param name="fields">Collects the failure.</param>
    /// <returns>The stop strings; <see langword="null"/> when absent or invalid.</returns>
    public static IReadOnlyList<string>? Parse(JsonElement root, JsonFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!JsonFields.TryGet(root, "stop", out JsonElement stop))
        {
            return null;
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return fields.CheckString(stop, "stop", 1, RequestFields.MaxTextLength) is string single ? [single] : null;
        }

        if (stop.ValueKind != JsonValueKind.Array || stop.GetArrayLength() > RequestFields.MaxStopStrings)
        {
            fields.Fail("stop", RequestFields.StopRule);
            return null;
        }

        var list = new List<string>(stop.GetArrayLength());
        int index = 0;
        foreach (JsonElement item in stop.EnumerateArray())
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"stop[{index}]");
            index++;
            if (fields.CheckString(item, path, 1, RequestFields.MaxTextLength) is string value)
            {
                list.Add(value);
            }
        }

        return list;
    }
}
