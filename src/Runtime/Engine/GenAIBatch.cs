using Ember.Runtime.Generation;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Runtime.Engine;

/// <summary>
/// One batch on ORT GenAI's batched <see cref="Generator"/> (the wave scheduler's engine): its search options, its
/// right-padded prompts, then one token per row per step. Schedulers see only this, never the generator.
/// </summary>
/// <remarks>Used by the owning scheduler thread only; disposing releases the generator and its parameters.</remarks>
internal sealed class GenAIBatch : IDisposable
{
    private readonly GeneratorParams _parameters;
    private readonly Generator _generator;

    private GenAIBatch(GeneratorParams parameters, Generator generator)
    {
        _parameters = parameters;
        _generator = generator;
    }

    /// <summary>Creates a batch of <paramref name="model"/> with these search options (numbers and flags, as ORT GenAI names them).</summary>
    /// <exception cref="AiTextGenerationException">ORT GenAI refused an option or could not create the generator.</exception>
    public static GenAIBatch Create(GenAIModel model, IEnumerable<KeyValuePair<string, object>> searchOptions)
    {
        var parameters = model.CreateParams();
        try
        {
            OrtGenAI.Guard("set the search options", () =>
            {
                foreach (var (name, value) in searchOptions)
                {
                    switch (value)
                    {
                        case bool flag:
                            parameters.SetSearchOption(name, flag);
                            break;
                        default:
                            parameters.SetSearchOption(name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                    }
                }
            });
            return new GenAIBatch(parameters, model.CreateGenerator(parameters));
        }
        catch
        {
            NativeObjectCounter.Release(parameters);
            throw;
        }
    }

    /// <summary>Feeds the prompts, rows × width, right-padded.</summary>
    public void AppendTokens(int[] padded) => OrtGenAI.Guard("process the prompts", () => _generator.AppendTokens(padded));

    /// <summary>Runs one step and returns each row's next token.</summary>
    public int[] NextTokens() => OrtGenAI.Guard("generate the next token", () =>
    {
        _generator.GenerateNextToken();
        return _generator.GetNextTokens().ToArray();
    });

    /// <summary>Whether every row reached the batch's <c>max_length</c>.</summary>
    public bool IsDone => OrtGenAI.Guard("check the generator", _generator.IsDone);

    /// <inheritdoc/>
    public void Dispose()
    {
        NativeObjectCounter.Release(_generator);
        NativeObjectCounter.Release(_parameters);
    }
}
