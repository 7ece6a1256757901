using System.Text;
using Ember.Host.Errors;
using Ember.Runtime.Generation;

namespace Ember.Host.Responses;

/// <summary>
/// A response shape written whole at the end: it keeps the text and the tokens handed to it, sends nothing before
/// <see cref="WriteEndAsync"/>, and so never has a failure to write in the stream (the exchange writes an envelope).
/// </summary>
public abstract class WholeResponse : IToolCallResponse
{
    private readonly StringBuilder _text = new();
    private readonly List<TextPiece> _tokens = [];

    /// <inheritdoc/>
    public bool Started => false;

    /// <summary>Gets the text kept so far.</summary>
    protected string Text => _text.ToString();

    /// <summary>Gets the answer's whole tool calls (set before the end; empty for a text answer or calls cut short).</summary>
    protected IReadOnlyList<ToolCall> Calls { get; private set; } = [];

    /// <summary>Gets the tokens kept so far (empty without log probabilities).</summary>
    protected IReadOnlyList<TextPiece> Tokens => _tokens;

    /// <inheritdoc/>
    public Task WriteTextAsync(string text, IReadOnlyList<TextPiece> tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _text.Append(text);
        _tokens.AddRange(tokens);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public virtual Task WriteToolCallAsync(ToolCallEvent callStep, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void SetCalls(IReadOnlyList<ToolCall> calls) => Calls = calls ?? throw new ArgumentNullException(nameof(calls));

    /// <inheritdoc/>
    public abstract Task WriteEndAsync(TextGenerationUsage usage, FinishReason finish, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public Task WriteErrorAsync(ApiError failure, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A whole answer has sent nothing before its end: write its failure as an envelope.");
}
