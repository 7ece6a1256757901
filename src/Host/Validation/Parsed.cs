using System.Diagnostics.CodeAnalysis;
using Ember.Host.Errors;

namespace Ember.Host.Validation;

/// <summary>The outcome of parsing part of a request: a value, or the error to answer with.</summary>
/// <typeparam name="T">The parsed value's type.</typeparam>
public readonly record struct Parsed<T>
{
    /// <summary>A success.</summary>
    /// <param name="value">The value.</param>
    public Parsed(T value)
    {
        Value = value;
        Error = null;
    }

    /// <summary>A failure.</summary>
    /// <param name="error">The error.</param>
    public Parsed(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Value = default;
        Error = error;
    }

    /// <summary>Gets the value; set when <see cref="Error"/> is <see langword="null"/>.</summary>
    public T? Value { get; }

    /// <summary>Gets the error; <see langword="null"/> on success.</summary>
    public ApiError? Error { get; }

    /// <summary>Gets a value indicating whether parsing succeeded.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    /// <summary>Turns an error into a failed outcome.</summary>
    /// <param name="error">The error.</param>
    public static implicit operator Parsed<T>(ApiError error) => new(error);
}
