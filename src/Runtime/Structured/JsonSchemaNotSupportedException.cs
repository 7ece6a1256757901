namespace Ember.Runtime.Structured;

/// <summary>A JSON Schema outside the supported subset, or malformed; the message names the JSON pointer and the keyword.</summary>
internal sealed class JsonSchemaNotSupportedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="JsonSchemaNotSupportedException"/> class.</summary>
    public JsonSchemaNotSupportedException()
        : this(string.Empty, "the schema is not supported")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JsonSchemaNotSupportedException"/> class.</summary>
    public JsonSchemaNotSupportedException(string message)
        : base(message)
    {
        Pointer = string.Empty;
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="JsonSchemaNotSupportedException"/> class.</summary>
    public JsonSchemaNotSupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Pointer = string.Empty;
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="JsonSchemaNotSupportedException"/> class.</summary>
    /// <param name="pointer">The JSON pointer of the schema refused (empty for the root).</param>
    /// <param name="reason">What is wrong there, naming the keyword.</param>
    public JsonSchemaNotSupportedException(string pointer, string reason)
        : base($"schema {(pointer.Length == 0 ? "(root)" : pointer)}: {reason}")
    {
        Pointer = pointer;
        Reason = reason;
    }

    /// <summary>Gets the JSON pointer of the schema refused (empty for the root).</summary>
    public string Pointer { get; }

    /// <summary>Gets what is wrong, naming the keyword.</summary>
    public string Reason { get; }
}
