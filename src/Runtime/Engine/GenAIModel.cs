using Ember.Runtime.Generation;
using Ember.Runtime.Options;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Ember.Runtime.Engine;

/// <summary>
/// A model folder's ORT GenAI tokenizer, and for the wave scheduler its loaded ORT GenAI model on one execution
/// provider: the seam through which the scheduler reaches ONNX Runtime GenAI.
/// </summary>
/// <remarks>
/// The continuous scheduler runs the decoder on ONNX Runtime itself, so it loads the tokenizer alone
/// (<see cref="LoadTokenizer"/>): the weights are then in memory once, in the decoder's session.
/// <see cref="Encode"/> may be called from any thread (ORT GenAI's encoder, where it is used, is serialized); generators are created and used
/// on the owning scheduler's thread only. Disposing releases every native object it created.
/// </remarks>
internal sealed class GenAIModel : IDisposable
{
    private readonly Model? _model;
    private readonly Tokenizer _tokenizer;
    private readonly Lock _encodeLock = new();
    private readonly SentencePieceBpeEncoder? _encoder;

    private GenAIModel(Model? model, Tokenizer tokenizer, int eosTokenId, int contextLength, string folder)
    {
        _model = model;
        _tokenizer = tokenizer;
        EosTokenId = eosTokenId;
        ContextLength = contextLength;
        try
        {
            Vocabulary = TokenVocabulary.Read(folder);
        }
        catch (AiTextGenerationException e)
        {
            VocabularyError = e.Message;
        }

        _encoder = SentencePieceBpeEncoder.Read(folder, out var refusal);
        EncoderRefusal = refusal;
    }

    /// <summary>The end-of-sequence token.</summary>
    public int EosTokenId { get; }

    /// <summary>The padding token of the model's own configuration (<c>model.pad_token_id</c>), which the wave scheduler pads prompts with.</summary>
    public int PadTokenId { get; private init; }

    /// <summary>The provider the ORT GenAI model was loaded on (<see cref="ExecutionProvider.Cpu"/> for a tokenizer alone).</summary>
    public ExecutionProvider Provider { get; private init; }

    /// <summary>The model's own context length (<c>model.context_length</c> of its genai_config.json).</summary>
    public int ContextLength { get; }

    /// <summary>
    /// Each token's text and bytes, read at load for log probabilities; <see langword="null"/> when the tokenizer's
    /// vocabulary could not be read (<see cref="VocabularyError"/> says why), and then log probabilities are refused.
    /// </summary>
    public TokenVocabulary? Vocabulary { get; }

    /// <summary>Why <see cref="Vocabulary"/> could not be read, or <see langword="null"/>.</summary>
    public string? VocabularyError { get; }

    /// <summary>
    /// Why <see cref="Encode"/> uses ORT GenAI's encoder rather than <see cref="SentencePieceBpeEncoder"/> (the tokenizer is
    /// of another form), or <see langword="null"/> when it encodes exactly as Hugging Face does.
    /// </summary>
    public string? EncoderRefusal { get; }

    /// <summary>Loads the model in <paramref name="folder"/> onto <paramref name="provider"/>.</summary>
    /// <exception cref="AiTextGenerationException">ORT GenAI could not load it.</exception>
    public static GenAIModel Load(string folder, ExecutionProvider provider, int deviceId, int intraOpThreads, int contextLength)
    {
        using var config = OrtGenAI.Guard("read the model's configuration", () => new Config(folder));
        OrtGenAI.Guard("select the execution provider", () =>
        {
            config.ClearProviders();
            switch (provider)
            {
                case ExecutionProvider.Cuda:
                    config.AppendProvider("cuda");
                    config.SetProviderOption("cuda", "device_id", deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ExecutionProvider.Dml:
                    config.AppendProvider("dml");
                    config.SetDecoderProviderOptionsHardwareDeviceId("dml", (uint)deviceId);
                    break;
                default:
                    break;
            }

            if (intraOpThreads > 0)
            {
                config.Overlay("{\"model\":{\"decoder\":{\"session_options\":{\"intra_op_num_threads\":" + intraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}}");
            }
        });

        Model? model = null;
        try
        {
            model = NativeObjectCounter.Track(OrtGenAI.Guard("load the model", () => new Model(config)));
            var loaded = model;
            return Create(model, () => new Tokenizer(loaded), contextLength, folder, provider);
        }
        catch
        {
            NativeObjectCounter.Release(model);
            throw;
        }
    }

    /// <summary>
    /// Loads only the tokenizer of the model in <paramref name="folder"/> (its <c>tokenizer.json</c> and
    /// <c>genai_config.json</c>), not the model's weights: for a scheduler that runs the decoder itself.
    /// </summary>
    /// <exception cref="AiTextGenerationException">ORT GenAI could not load it.</exception>
    public static GenAIModel LoadTokenizer(string folder, int contextLength) =>
        Create(null, () => new Tokenizer(folder), contextLength, folder, ExecutionProvider.Cpu);

    private static GenAIModel Create(Model? model, Func<Tokenizer> createTokenizer, int contextLength, string folder, ExecutionProvider provider)
    {
        Tokenizer? tokenizer = null;
        try
        {
            tokenizer = NativeObjectCounter.Track(OrtGenAI.Guard("load the tokenizer", createTokenizer));
            var loadedTokenizer = tokenizer;
            var eosIds = OrtGenAI.Guard("read the end-of-sequence token", () => loadedTokenizer.GetEosTokenIds().ToArray());
            if (eosIds.Length == 0)
            {
                throw new AiTextGenerationException(AiErrorKind.RuntimeFailure, $"The model in {folder} names no end-of-sequence token (model.eos_token_id).");
            }

            var padId = OrtGenAI.Guard("read the padding token", () => loadedTokenizer.GetPadTokenId());
            return new GenAIModel(model, tokenizer, eosIds[0], contextLength, folder) { PadTokenId = padId, Provider = provider };
        }
        catch
        {
            NativeObjectCounter.Release(tokenizer);
            throw;
        }
    }

    private Model LoadedModel => _model ?? throw new InvalidOperationException("Only the tokenizer of this model was loaded; the wave scheduler needs the model (GenAIModel.Load).");

    /// <summary>
    /// Token ids of <paramref name="text"/>, with no BOS added (the template writes <c>&lt;s&gt;</c>): Hugging Face's, by
    /// <see cref="SentencePieceBpeEncoder"/>, for a SentencePiece BPE tokenizer such as Llama 2's and Mistral's (ORT GenAI
    /// 0.18 merges some whitespace and punctuation otherwise), else ORT GenAI's.
    /// </summary>
    public int[] Encode(string text)
    {
        if (_encoder is not null)
        {
            return _encoder.Encode(text);
        }

        lock (_encodeLock)
        {
            return OrtGenAI.Guard("tokenize the prompt", () =>
            {
                using var sequences = _tokenizer.Encode(text);
                return sequences[0].ToArray();
            });
        }
    }

    /// <summary>Creates a generator for a wave; the caller owns it and must release it.</summary>
    public Generator CreateGenerator(GeneratorParams parameters) =>
        NativeObjectCounter.Track(OrtGenAI.Guard("create a generator", () => new Generator(LoadedModel, parameters)));

    /// <summary>Creates generator parameters; the caller owns them and must release them.</summary>
    public GeneratorParams CreateParams() =>
        NativeObjectCounter.Track(OrtGenAI.Guard("create generator parameters", () => new GeneratorParams(LoadedModel)));

    /// <summary>
    /// Creates the detokenizer of one sequence: over the <see cref="Vocabulary"/>'s bytes for a SentencePiece tokenizer, else over ORT GenAI's
    /// tokenizer stream (serialized with <see cref="Encode"/>, as they share the tokenizer); the caller owns it and must release it.
    /// </summary>
    public TokenTextStream CreateStream()
    {
        // The vocabulary's bytes (▁ a space, <0xNN> a byte) are a SentencePiece tokenizer's, the form the exact encoder accepted.
        if (_encoder is not null && Vocabulary is { } vocabulary)
        {
            return NativeObjectCounter.Track(new TokenTextStream(vocabulary));
        }

        lock (_encodeLock)
        {
            return NativeObjectCounter.Track(new TokenTextStream(OrtGenAI.Guard("create a tokenizer stream", () => _tokenizer.CreateStream())));
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        NativeObjectCounter.Release(_tokenizer);
        NativeObjectCounter.Release(_model);
    }
}
