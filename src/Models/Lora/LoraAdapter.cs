using System.Globalization;
using System.Text.RegularExpressions;

namespace Ember.Models.Lora;

/// <summary>
/// A LoRA adapter (PEFT's files, or ONNX Runtime's <c>.onnx_adapter</c>) checked against a model: its rank, scale and
/// the factors of each (layer, projection) it targets.
/// A projection's output gains <c>scale · x·Aᵀ·Bᵀ</c>.
/// </summary>
/// <remarks>Immutable once loaded; thread-safe.</remarks>
public sealed partial class LoraAdapter
{
    /// <summary>The file PEFT writes the factors to.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    private readonly Dictionary<(int Layer, LoraProjection Projection), LoraWeights> _weights;

    private LoraAdapter(string name, int rank, double scale, IReadOnlyList<LoraProjection> targets, Dictionary<(int, LoraProjection), LoraWeights> weights)
    {
        Name = name;
        Rank = rank;
        Scale = scale;
        Targets = targets;
        _weights = weights;
    }

    /// <summary>Whether <paramref name="name"/> can name an adapter: 1 to 64 ASCII letters, digits, '-', '_' or '.' (so <c>model:adapter</c> splits at its last colon).</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The name requests pick it by.</summary>
    public string Name { get; }

    /// <summary>The rank <c>r</c>.</summary>
    public int Rank { get; }

    /// <summary>The scale of B·A.</summary>
    public double Scale { get; }

    /// <summary>The projections it targets.</summary>
    public IReadOnlyList<LoraProjection> Targets { get; }

    /// <summary>The factors of <paramref name="projection"/> in <paramref name="layer"/>, or null where the adapter leaves it as it is.</summary>
    public LoraWeights? Weights(int layer, LoraProjection projection) => _weights.GetValueOrDefault((layer, projection));

    /// <summary>
    /// The change the adapter makes to the weight of <paramref name="projection"/> in <paramref name="layer"/>, laid out as
    /// Ember's graphs hold weights ([input, output], row-major): <c>scale · Aᵀ·Bᵀ</c>; null where it leaves it as it is.
    /// </summary>
    public float[]? Delta(int layer, LoraProjection projection, LoraTargetShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (Weights(layer, projection) is not { } w)
        {
            return null;
        }

        int k = shape.InputWidth(projection), n = shape.OutputWidth(projection);
        var delta = new float[k * n];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var r = 0; r < Rank; r++)
                {
                    sum += (double)w.A[(r * k) + i] * w.B[(j * Rank) + r];
                }

                delta[(i * n) + j] = (float)(sum * Scale);
            }
        }

        return delta;
    }

    /// <summary>
    /// Loads the adapter at <paramref name="path"/> and checks it against <paramref name="shape"/> and
    /// <paramref name="limits"/>: a folder holding PEFT's two files (<see cref="PeftAdapterConfig.FileName"/> and
    /// <see cref="WeightsFileName"/>) or one ONNX Runtime adapter file (<see cref="OnnxAdapterFile.Extension"/>), or the
    /// path of such a file itself.
    /// </summary>
    /// <exception cref="LoraAdapterException">A file is missing, corrupt or too large, the folder holds both forms or several adapter files, or the adapter does not fit the model; the message names the file and the mismatch.</exception>
    public static LoraAdapter Load(string path, string name, LoraTargetShape shape, LoraLimits limits)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(limits);
        if (File.Exists(path))
        {
            return Path.GetExtension(path) == OnnxAdapterFile.Extension
                ? LoadOnnxAdapter(path, name, shape, limits)
                : throw new LoraAdapterException($"{Path.GetFileName(path)} is a file but not an ONNX Runtime adapter ({OnnxAdapterFile.Extension}); the adapter '{name}' is a folder of {PeftAdapterConfig.FileName} and {WeightsFileName}, or one {OnnxAdapterFile.Extension} file.");
        }

        var configPath = Path.Combine(path, PeftAdapterConfig.FileName);
        var weightsPath = Path.Combine(path, WeightsFileName);
        var onnxAdapters = Directory.Exists(path) ? Directory.GetFiles(path, "*" + OnnxAdapterFile.Extension).Order(StringComparer.Ordinal).ToList() : [];
        if (onnxAdapters.Count > 1)
        {
            throw new LoraAdapterException($"The adapter '{name}' holds {onnxAdapters.Count} {OnnxAdapterFile.Extension} files ({string.Join(", ", onnxAdapters.Select(Path.GetFileName))}); a folder holds one adapter.");
        }

        if (onnxAdapters.Count == 1)
        {
            return File.Exists(configPath) || File.Exists(weightsPath)
                ? throw new LoraAdapterException($"The adapter '{name}' holds both {Path.GetFileName(onnxAdapters[0])} and PEFT's files ({PeftAdapterConfig.FileName}, {WeightsFileName}); a folder holds one adapter, in one form.")
                : LoadOnnxAdapter(onnxAdapters[0], name, shape, limits);
        }

        foreach (var file in new[] { configPath, weightsPath })
        {
            if (!File.Exists(file))
            {
                throw new LoraAdapterException($"{Path.GetFileName(file)} is missing from the adapter '{name}'.");
            }
        }

        var config = PeftAdapterConfig.Parse(File.ReadAllText(configPath), PeftAdapterConfig.FileName);
        return FromConfig(name, config, SafetensorsFile.Read(weightsPath, limits.MaxBytes), shape, limits);
    }

    /// <summary>Checks a parsed <paramref name="config"/> and its <paramref name="tensors"/> against the model and the limits.</summary>
    /// <exception cref="LoraAdapterException">The adapter does not fit; the message names the file and the mismatch.</exception>
    public static LoraAdapter FromConfig(string name, PeftAdapterConfig config, IReadOnlyList<SafetensorsTensor> tensors, LoraTargetShape shape, LoraLimits limits)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(shape);
        var targets = CheckConfig(config, limits);
        const string configFile = PeftAdapterConfig.FileName;
        var factors = new Dictionary<(int, LoraProjection), (float[]? A, float[]? B)>();
        foreach (var tensor in tensors)
        {
            var match = TensorName().Match(tensor.Name);
            if (!match.Success)
            {
                throw new LoraAdapterException($"{WeightsFileName}: tensor '{tensor.Name}' is not a LoRA factor of a module the model takes adapters on ({string.Join(", ", LoraTargetShape.ModuleNames)}).");
            }

            var projection = LoraTargetShape.Parse(match.Groups["module"].Value)!.Value;
            if (!int.TryParse(match.Groups["layer"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var layer) || layer >= shape.Layers)
            {
                throw new LoraAdapterException($"{WeightsFileName}: tensor '{tensor.Name}' is for layer {match.Groups["layer"].Value}; the model has {shape.Layers} layers.");
            }

            if (!targets.Contains(projection))
            {
                throw new LoraAdapterException($"{WeightsFileName}: tensor '{tensor.Name}' is for {LoraTargetShape.ModuleName(projection)}, which target_modules in {configFile} does not name.");
            }

            var isA = match.Groups["factor"].Value == "A";
            long[] expected = isA ? [config.R, shape.InputWidth(projection)] : [shape.OutputWidth(projection), config.R];
            if (!tensor.Shape.SequenceEqual(expected))
            {
                throw new LoraAdapterException($"{WeightsFileName}: tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the model and r = {config.R} need [{string.Join(", ", expected)}].");
            }

            var pair = factors.GetValueOrDefault((layer, projection));
            factors[(layer, projection)] = isA ? (tensor.Values, pair.B) : (pair.A, tensor.Values);
        }

        var weights = new Dictionary<(int, LoraProjection), LoraWeights>();
        foreach (var ((layer, projection), (a, b)) in factors)
        {
            if (a is null || b is null)
            {
                throw new LoraAdapterException($"{WeightsFileName}: layer {layer}'s {LoraTargetShape.ModuleName(projection)} has lora_{(a is null ? "A" : "B")} missing.");
            }

            weights[(layer, projection)] = new LoraWeights(a, b);
        }

        if (weights.Count == 0)
        {
            throw new LoraAdapterException($"{WeightsFileName} holds no LoRA factors.");
        }

        return new LoraAdapter(name, config.R, config.Scale, targets, weights);
    }

    /// <summary>
    /// The checks of <paramref name="config"/> alone, before any factor is read: its rank within
    /// <paramref name="limits"/>, not DoRA, and target modules the graph takes adapters on.
    /// </summary>
    /// <returns>The projections it targets.</returns>
    /// <exception cref="LoraAdapterException">The configuration is refused; the message names the file and the reason.</exception>
    public static IReadOnlyList<LoraProjection> CheckConfig(PeftAdapterConfig config, LoraLimits limits)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(limits);
        const string configFile = PeftAdapterConfig.FileName;
        if (config.R > limits.MaxRank)
        {
            throw new LoraAdapterException($"{configFile}: rank r = {config.R} is above the limit of {limits.MaxRank}.");
        }

        if (config.UseDora)
        {
            throw new LoraAdapterException($"{configFile}: use_dora is true; DoRA adapters are not taken.");
        }

        var targets = new List<LoraProjection>();
        foreach (var module in config.TargetModules)
        {
            targets.Add(LoraTargetShape.Parse(module)
                ?? throw new LoraAdapterException($"{configFile}: target module '{module}' is not one the model takes adapters on ({string.Join(", ", LoraTargetShape.ModuleNames)})."));
        }

        if (targets.Count == 0)
        {
            throw new LoraAdapterException($"{configFile}: target_modules is empty.");
        }

        return targets;
    }

    [GeneratedRegex(@"(?:^|\.)layers\.(?<layer>\d+)\.self_attn\.(?<module>[qkvo]_proj)\.lora_(?<factor>[AB])(?:\.default)?\.weight$", RegexOptions.CultureInvariant)]
    private static partial Regex TensorName();
}
