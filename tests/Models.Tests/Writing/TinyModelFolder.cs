using Ember.Models.Catalog;
using Ember.Models.Writing;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Models.Tests.Writing;

/// <summary>
/// A temporary folder holding the <see cref="LlamaShape.Tiny"/> model written once in every variant with the
/// default options (<c>{Root}/{fp32|fp16|int8|int4}</c>), plus an fp32 copy written with
/// <see cref="EndOfSequenceBias"/> (<c>{Root}/eos-biased</c>) and one in the model builder's form, without
/// <c>query_seqlens</c> (<c>{Root}/builder-form</c>); each is loaded once. Shared by the
/// <see cref="TinyModelCollectionDefinition"/>; deleted on dispose.
/// </summary>
/// <remarks>Tests of one collection run one at a time, so the loaded models are used from one test at a time.</remarks>
public sealed class TinyModelFolder : IAsyncLifetime, IDisposable
{
    /// <summary>
    /// The end-of-sequence bias of the <c>eos-biased</c> model. Measured: at 5 the golden prompts
    /// "What is the capital of France?" and "Once upon a time there was a little girl." end with <c>&lt;/s&gt;</c>
    /// after 12 and 36 greedy tokens (at 4 neither ends within 48, at 6 France ends after 2).
    /// </summary>
    public const float EndOfSequenceBias = 9f;

    private readonly Dictionary<ModelVariant, Model> _models = [];
    private Model? _eosBiasedModel;
    private Model? _builderFormModel;
    private Tokenizer? _tokenizer;

    /// <summary>Gets the folder all models are written under.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ember-tiny-model-" + Guid.NewGuid().ToString("N"));

    /// <summary>Gets the folder of the fp32 model written with <see cref="EndOfSequenceBias"/>.</summary>
    public string EosBiasedDirectory => Path.Combine(Root, "eos-biased");

    /// <summary>Gets the folder of the fp32 model written in the model builder's form (<see cref="LlamaWriterOptions.QuerySeqlens"/> false).</summary>
    public string BuilderFormDirectory => Path.Combine(Root, "builder-form");

    /// <summary>Gets the loaded model written in the model builder's form.</summary>
    public Model BuilderFormModel => _builderFormModel ?? throw NotInitialized();

    /// <summary>Gets the tokenizer of the fp32 model (all variants write the same tokenizer).</summary>
    public Tokenizer Tokenizer => _tokenizer ?? throw NotInitialized();

    /// <summary>Gets the loaded model written with <see cref="EndOfSequenceBias"/>.</summary>
    public Model EosBiasedModel => _eosBiasedModel ?? throw NotInitialized();

    /// <summary>The folder of one variant written with the default options.</summary>
    public string Directory(ModelVariant variant) => Path.Combine(Root, LlamaModelWriter.FolderName(variant));

    /// <summary>The loaded model of one variant written with the default options.</summary>
    public Model Model(ModelVariant variant) => _models.TryGetValue(variant, out var model) ? model : throw NotInitialized();

    /// <summary>The prompt's token ids as the server builds them: <c>&lt;s&gt;</c> followed by the encoded text.</summary>
    public int[] PromptIds(string text)
    {
        using var sequences = Tokenizer.Encode(text);
        return [LlamaVocabulary.BosId, .. sequences[0].ToArray()];
    }

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        await LlamaModelWriter.WriteAllAsync(Root, LlamaShape.Tiny, new LlamaWriterOptions(), CancellationToken.None);
        await LlamaModelWriter.WriteAsync(
            EosBiasedDirectory, LlamaShape.Tiny, ModelVariant.Fp32, new LlamaWriterOptions { EndOfSequenceBias = EndOfSequenceBias }, CancellationToken.None);
        await LlamaModelWriter.WriteAsync(BuilderFormDirectory, LlamaShape.Tiny, ModelVariant.Fp32, new LlamaWriterOptions { QuerySeqlens = false }, CancellationToken.None);
        foreach (var variant in LlamaModelWriter.AllVariants)
        {
            _models[variant] = new Model(Directory(variant));
        }

        _eosBiasedModel = new Model(EosBiasedDirectory);
        _builderFormModel = new Model(BuilderFormDirectory);
        _tokenizer = new Tokenizer(_models[ModelVariant.Fp32]);
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _tokenizer?.Dispose();
        _tokenizer = null;
        _eosBiasedModel?.Dispose();
        _eosBiasedModel = null;
        _builderFormModel?.Dispose();
        _builderFormModel = null;
        foreach (var model in _models.Values)
        {
            model.Dispose();
        }

        _models.Clear();
        if (System.IO.Directory.Exists(Root))
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
    }

    private static InvalidOperationException NotInitialized() => new("The tiny model folder is not initialized.");
}
