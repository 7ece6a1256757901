namespace Ember.Runtime.Generation;

/// <summary>The JSON type of a request field, as the input schema names it.</summary>
public enum RequestFieldType
{
    /// <summary>A JSON number with no fractional part (<c>5</c> or <c>5.0</c>).</summary>
    WholeNumber,

    /// <summary>Any finite JSON number.</summary>
    Number,
}
