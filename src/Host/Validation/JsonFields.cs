using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Ember.Host.Errors;
using Ember.Runtime.Generation;

namespace Ember.Host.Validation;

/// <summary>
/// Reads optional fields of a parsed JSON body, checking each one's type and range and keeping the first
/// failure as a 5006 error that names the field and the rule.
/// </summary>
/// <remarks>
/// A field that is absent or JSON <c>null</c> counts as not given (clients commonly send <c>null</c> for
/// "use the default"). A reader returns <see langword="null"/> for the field it refuses and goes on reading the others; only the first
/// failure is kept: check <see cref="Error"/>
/// at the end. Not thread-safe: one instance per parse.
/// </remarks>
public sealed class JsonFields
{
    /// <summary>Gets the first failure; <see langword="null"/> while every field read was valid.</summary>
    public ApiError? Error { get; private set; }

    /// <summary>Gets a field's value when it is present and not <c>null</c>.</summary>
    /// <param name="obj">The object holding the field.</param>
    /// <param name="name">The field's name.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when the field is given.</returns>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>
    /// Reads a JSON string. <see cref="JsonElement.GetString"/> throws on an escaped unpaired surrogate
    /// (<c>"\ud800"</c>), which the parser lets through; this reports it instead.
    /// </summary>
    /// <param name="value">A string element.</param>
    /// <param name="text">The text when valid.</param>
    /// <returns><see langword="true"/> when the element is a string of valid UTF-16.</returns>
    public static bool TryGetText(JsonElement value, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Records a failure, unless one is already recorded.</summary>
    /// <param name="path">The field's path, such as <c>messages[0].role</c>.</param>
    /// <param name="rule">The rule broken, such as <c>must be a string</c>.</param>
    public void Fail(string path, string rule) => Error ??= ErrorMapping.InvalidInput(path, rule);

    /// <summary>Reads a boolean field.</summary>
    /// <param name="obj">The object holding the field.</param>
    /// <param name="name">The field's name.</param>
    /// <param name="path">The field's path for messages.</param>
    /// <returns>The value, or <see langword="null"/> when absent or invalid.</returns>
    public bool? ReadBoolean(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Fail(path, "must be a boolean");
        return null;
    }

    /// <summary>Reads a string field.</summary>
    /// <param name="obj">The object holding the field.</param>
    /// <param name="name">The field's name.</param>
    /// <param name="path">The field's path for messages.</param>
    /// <param name="minLength">The fewest characters allowed.</param>
    /// <param name="maxLength">The most characters allowed.</param>
    /// <returns>The value, or <see langword="null"/> when absent or invalid.</returns>
    public string? ReadString(JsonElement obj, string name, string path, int minLength, int maxLength) =>
        TryGet(obj, name, out JsonElement value) ? CheckString(value, path, minLength, maxLength) : null;

    /// <summary>Checks a value that must be a string.</summary>
    /// <param name="value">The value.</param>
    /// <param name="path">The value's path for messages.</param>
    /// <param name="minLength">The fewest characters allowed.</param>
    /// <param name="maxLength">The most characters allowed.</param>
    /// <returns>The string, or <see langword="null"/> when invalid.</returns>
    public string? CheckString(JsonElement value, string path, int minLength, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Fail(path, "must be a string");
            return null;
        }

        if (!TryGetText(value, out string? text))
        {
            Fail(path, "must be valid Unicode text (it has an unpaired surrogate escape)");
            return null;
        }

        if (text.Length < minLength || text.Length > maxLength)
        {
            Fail(path, RequestFields.LengthRule(minLength, maxLength));
            return null;
        }

        return text;
    }

    /// <summary>
    /// Reads a numeric field of <see cref="RequestFields"/> in the range <paramref name="api"/> enforces; an integer
    /// field takes a JSON number with no fractional part (<c>5</c> or <c>5.0</c>). A failure is the field's own
    /// <see cref="RequestField.Failure(RequestApis)"/>.
    /// </summary>
    /// <param name="obj">The object holding the field.</param>
    /// <param name="field">The field.</param>
    /// <param name="api">The API reading it.</param>
    /// <returns>The value, or <see langword="null"/> when absent or invalid.</returns>
    public double? Read(JsonElement obj, RequestField field, RequestApis api)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!TryGet(obj, field.Name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out double number)
            && field.RangeFor(api).Contains(number)
            && (field.Type != RequestFieldType.WholeNumber || Math.Floor(number) == number))
        {
            return number;
        }

        Error ??= ErrorMapping.InvalidInput(field.Name, field.RangeFor(api).Rule(field.Type));
        return null;
    }

    /// <summary>Reads an object field.</summary>
    /// <param name="obj">The object holding the field.</param>
    /// <param name="name">The field's name.</param>
    /// <param name="path">The field's path for messages.</param>
    /// <returns>The object, or <see langword="null"/> when absent or not an object.</returns>
    public JsonElement? ReadObject(JsonElement obj, string name, string path)
    {
        if (!TryGet(obj, name, out JsonElement value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            return value;
        }

        Fail(path, "must be an object");
        return null;
    }
}
