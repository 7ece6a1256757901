using System.Globalization;

namespace Ember.Runtime.Generation;

/// <summary>The values a numeric request field may take: <see cref="Minimum"/> (or above it, when exclusive) to <see cref="Maximum"/>.</summary>
/// <param name="Minimum">The smallest value, or the bound values must exceed when <paramref name="ExclusiveMinimum"/>.</param>
/// <param name="Maximum">The largest value allowed.</param>
/// <param name="ExclusiveMinimum">Whether <paramref name="Minimum"/> itself is refused.</param>
public sealed record RequestRange(double Minimum, double Maximum, bool ExclusiveMinimum = false)
{
    /// <summary>Tells whether a value is in the range.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public bool Contains(double value) =>
        double.IsFinite(value) && (ExclusiveMinimum ? value > Minimum : value >= Minimum) && value <= Maximum;

    /// <summary>The rule a value outside the range breaks, as error messages word it.</summary>
    /// <param name="type">The field's type.</param>
    /// <returns>Such as <c>must be an integer from 1 to 50</c>.</returns>
    public string Rule(RequestFieldType type)
    {
        string noun = type == RequestFieldType.WholeNumber ? "an integer" : "a number";
        return ExclusiveMinimum
            ? Invariant($"must be {noun} greater than {Minimum} and at most {Maximum}")
            : Invariant($"must be {noun} from {Minimum} to {Maximum}");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
