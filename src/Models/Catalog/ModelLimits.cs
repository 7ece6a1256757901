using System.Globalization;

namespace Ember.Models.Catalog;

/// <summary>
/// The token limits of one model: the <c>max_tokens</c> defaults and the ceilings a request must stay under.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="SequenceTokensLimit"/> is the most tokens one request may generate (the ceiling for
/// <c>max_tokens</c>); <see cref="ContextTokensLimit"/> is the most tokens the prompt and the generated
/// tokens may occupy together. A valid instance always satisfies
/// <c>0 &lt; DefaultMaxTokens, DefaultMaxTokensStream ≤ SequenceTokensLimit ≤ ContextTokensLimit</c>;
/// the constructor rejects anything else.
/// </para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed record ModelLimits
{
    /// <summary>
    /// Creates limits after checking them with <see cref="Validate(int, int, int, int)"/>.
    /// </summary>
    /// <param name="defaultMaxTokens">The <c>max_tokens</c> used when a non-streaming request gives none.</param>
    /// <param name="defaultMaxTokensStream">The <c>max_tokens</c> used when a streaming request gives none.</param>
    /// <param name="contextTokensLimit">The most tokens prompt plus output may occupy.</param>
    /// <param name="sequenceTokensLimit">The most tokens one request may generate.</param>
    /// <exception cref="ArgumentException">One or more rules are broken; the message lists every one.</exception>
    public ModelLimits(int defaultMaxTokens, int defaultMaxTokensStream, int contextTokensLimit, int sequenceTokensLimit)
    {
        IReadOnlyList<string> failures = Validate(defaultMaxTokens, defaultMaxTokensStream, contextTokensLimit, sequenceTokensLimit);
        if (failures.Count > 0)
        {
            throw new ArgumentException("Invalid model limits: " + string.Join(" ", failures));
        }

        DefaultMaxTokens = defaultMaxTokens;
        DefaultMaxTokensStream = defaultMaxTokensStream;
        ContextTokensLimit = contextTokensLimit;
        SequenceTokensLimit = sequenceTokensLimit;
    }

    /// <summary>Gets the <c>max_tokens</c> used when a non-streaming request gives none.</summary>
    /// <value>Between 1 and <see cref="SequenceTokensLimit"/>.</value>
    public int DefaultMaxTokens { get; }

    /// <summary>Gets the <c>max_tokens</c> used when a streaming request gives none.</summary>
    /// <value>Between 1 and <see cref="SequenceTokensLimit"/>.</value>
    public int DefaultMaxTokensStream { get; }

    /// <summary>Gets the most tokens the prompt and the generated tokens may occupy together.</summary>
    /// <value>At least <see cref="SequenceTokensLimit"/>.</value>
    public int ContextTokensLimit { get; }

    /// <summary>Gets the most tokens one request may generate: the ceiling for <c>max_tokens</c>.</summary>
    /// <value>Between the larger default and <see cref="ContextTokensLimit"/>.</value>
    public int SequenceTokensLimit { get; }

    /// <summary>
    /// Checks a set of limit values and reports every rule they break, so that a configuration error can
    /// be shown in one go.
    /// </summary>
    /// <param name="defaultMaxTokens">The non-streaming default.</param>
    /// <param name="defaultMaxTokensStream">The streaming default.</param>
    /// <param name="contextTokensLimit">The context limit.</param>
    /// <param name="sequenceTokensLimit">The sequence limit.</param>
    /// <returns>One message per broken rule; empty when the values are valid.</returns>
    public static IReadOnlyList<string> Validate(int defaultMaxTokens, int defaultMaxTokensStream, int contextTokensLimit, int sequenceTokensLimit)
    {
        var failures = new List<string>();
        AddIfNotPositive(failures, nameof(DefaultMaxTokens), defaultMaxTokens);
        AddIfNotPositive(failures, nameof(DefaultMaxTokensStream), defaultMaxTokensStream);
        AddIfNotPositive(failures, nameof(ContextTokensLimit), contextTokensLimit);
        AddIfNotPositive(failures, nameof(SequenceTokensLimit), sequenceTokensLimit);
        AddIfAbove(failures, nameof(DefaultMaxTokens), defaultMaxTokens, nameof(SequenceTokensLimit), sequenceTokensLimit);
        AddIfAbove(failures, nameof(DefaultMaxTokensStream), defaultMaxTokensStream, nameof(SequenceTokensLimit), sequenceTokensLimit);
        AddIfAbove(failures, nameof(SequenceTokensLimit), sequenceTokensLimit, nameof(ContextTokensLimit), contextTokensLimit);
        return failures;
    }

    /// <summary>Gets the <c>max_tokens</c> to use when a request gives none.</summary>
    /// <param name="stream">Whether the request streams its output.</param>
    /// <returns><see cref="DefaultMaxTokensStream"/> when streaming, otherwise <see cref="DefaultMaxTokens"/>.</returns>
    public int GetDefaultMaxTokens(bool stream) => stream ? DefaultMaxTokensStream : DefaultMaxTokens;

    /// <summary>Tells whether a requested <c>max_tokens</c> is allowed on its own.</summary>
    /// <param name="maxTokens">The requested number of tokens to generate.</param>
    /// <returns><see langword="true"/> when <paramref name="maxTokens"/> is between 1 and <see cref="SequenceTokensLimit"/>.</returns>
    public bool AllowsMaxTokens(int maxTokens) => maxTokens >= 1 && maxTokens <= SequenceTokensLimit;

    /// <summary>Tells whether a prompt of a given length leaves room for the requested output.</summary>
    /// <param name="promptTokens">The number of tokens in the rendered prompt (BOS included).</param>
    /// <param name="maxTokens">The number of tokens to generate.</param>
    /// <returns>
    /// <see langword="true"/> when both counts are non-negative and together do not exceed <see cref="ContextTokensLimit"/>.
    /// </returns>
    public bool FitsContext(int promptTokens, int maxTokens) =>
        promptTokens >= 0 && maxTokens >= 0 && (long)promptTokens + maxTokens <= ContextTokensLimit;

    private static void AddIfNotPositive(List<string> failures, string name, int value)
    {
        if (value <= 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be positive but is {value}."));
        }
    }

    private static void AddIfAbove(List<string> failures, string name, int value, string limitName, int limit)
    {
        if (value > limit)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ({value}) must not exceed {limitName} ({limit})."));
        }
    }
}
