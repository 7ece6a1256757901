using System.Globalization;
using System.Text.RegularExpressions;

namespace Ember.Models.Lora;

/// <summary>Adapters in ONNX Runtime's adapter format, named as ORT GenAI's model builder and Olive name LoRA factors.</summary>
public sealed partial class LoraAdapter
{
    /// <summary>
    /// Checks the parameters of an <c>.onnx_adapter</c> file, called <paramref name="fileName"/> in messages, against
    /// the model and the limits, and maps them to the factors Ember serves.
    /// </summary>
    /// <remarks>
    /// The names are those of ORT GenAI's model builder (<c>make_matmul_lora</c>: the initializer
    /// <c>model.layers.{i}.attn.{q,k,v,o}_proj.lora_{A,B}.MatMul.weight</c>, which Olive's <c>ExtractAdapters</c> pass
    /// renames <c>….lora_{A,B}.weight</c>) and of Olive's <c>convert-adapters</c> (PEFT's names less
    /// <c>base_model.model.</c>: <c>model.layers.{i}.self_attn.{q,k,v,o}_proj.lora_{A,B}.weight</c>). Both store the
    /// factors as the graph multiplies them, transposed from PEFT: <c>lora_A</c> [in, r] and <c>lora_B</c> [r, out],
    /// with the scale (<c>lora_alpha / r</c>, or <c>/ √r</c>) already multiplied into <c>lora_B</c>; so the adapter's
    /// <see cref="Scale"/> is 1 and its rank is <c>lora_A</c>'s second dimension.
    /// </remarks>
    /// <exception cref="LoraAdapterException">The adapter does not fit; the message names the file and the mismatch.</exception>
    public static LoraAdapter FromOnnxAdapter(string name, OnnxAdapterContents contents, string fileName, LoraTargetShape shape, LoraLimits limits)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(limits);
        var factors = new List<(OnnxAdapterParameter Parameter, int Layer, LoraProjection Projection, bool IsA)>();
        foreach (var parameter in contents.Parameters)
        {
            var match = OnnxAdapterFactorName().Match(parameter.Name);
            if (!match.Success)
            {
                var other = OtherLoraFactorName().Match(parameter.Name);
                var known = other.Success && LoraTargetShape.Parse(other.Groups["module"].Value) is not null;
                throw new LoraAdapterException(
                    other.Success && !known ? $"{fileName}: parameter '{parameter.Name}' is for module '{other.Groups["module"].Value}', which is not one the model takes adapters on ({string.Join(", ", LoraTargetShape.ModuleNames)})."
                    : known && parameter.Name.Contains(".quant.", StringComparison.Ordinal) ? $"{fileName}: parameter '{parameter.Name}' is a quantized LoRA factor; adapters are taken in {OnnxAdapterFile.TypeFloat}, {OnnxAdapterFile.TypeFloat16} or {OnnxAdapterFile.TypeBFloat16}."
                    : $"{fileName}: parameter '{parameter.Name}' is not a LoRA factor as the model builder or Olive name them (model.layers.{{i}}.attn.{{q,k,v,o}}_proj.lora_{{A,B}}.weight).");
            }

            if (!int.TryParse(match.Groups["layer"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var layer) || layer >= shape.Layers)
            {
                throw new LoraAdapterException($"{fileName}: parameter '{parameter.Name}' is for layer {match.Groups["layer"].Value}; the model has {shape.Layers} layers.");
            }

            factors.Add((parameter, layer, LoraTargetShape.Parse(match.Groups["module"].Value)!.Value, match.Groups["factor"].Value == "A"));
        }

        if (factors.Count == 0)
        {
            throw new LoraAdapterException($"{fileName} holds no LoRA factors.");
        }

        // The rank: lora_A's second dimension ([in, r]), or lora_B's first ([r, out]) where the file has no lora_A.
        var (first, _, _, firstIsA) = factors.FirstOrDefault(factor => factor.IsA, factors[0]);
        var rank = first.Dims.Length == 2 ? (int)first.Dims[firstIsA ? 1 : 0] : 0;
        if (rank > limits.MaxRank)
        {
            throw new LoraAdapterException($"{fileName}: rank r = {rank} (parameter '{first.Name}') is above the limit of {limits.MaxRank}.");
        }

        if (rank < 1)
        {
            throw new LoraAdapterException($"{fileName}: parameter '{first.Name}' has shape [{string.Join(", ", first.Dims)}]; a lora_{(firstIsA ? "A" : "B")} factor is {(firstIsA ? "[in, r]" : "[r, out]")}, with r at least 1.");
        }

        var pairs = new Dictionary<(int, LoraProjection), (OnnxAdapterParameter? A, OnnxAdapterParameter? B)>();
        foreach (var (parameter, layer, projection, isA) in factors)
        {
            long[] expected = isA ? [shape.InputWidth(projection), rank] : [rank, shape.OutputWidth(projection)];
            if (!parameter.Dims.SequenceEqual(expected))
            {
                throw new LoraAdapterException($"{fileName}: parameter '{parameter.Name}' has shape [{string.Join(", ", parameter.Dims)}]; the model and r = {rank} need [{string.Join(", ", expected)}].");
            }

            var pair = pairs.GetValueOrDefault((layer, projection));
            if ((isA ? pair.A : pair.B) is { } twice)
            {
                throw new LoraAdapterException($"{fileName}: layer {layer}'s {LoraTargetShape.ModuleName(projection)} has lora_{(isA ? "A" : "B")} twice ('{twice.Name}' and '{parameter.Name}').");
            }

            pairs[(layer, projection)] = isA ? (parameter, pair.B) : (pair.A, parameter);
        }

        var weights = new Dictionary<(int, LoraProjection), LoraWeights>();
        foreach (var ((layer, projection), (a, b)) in pairs)
        {
            if (a is null || b is null)
            {
                throw new LoraAdapterException($"{fileName}: layer {layer}'s {LoraTargetShape.ModuleName(projection)} has lora_{(a is null ? "A" : "B")} missing.");
            }

            // PEFT's layout, as LoraWeights holds it: A [r, in] = (lora_A [in, r])ᵀ, B [out, r] = (lora_B [r, out])ᵀ.
            weights[(layer, projection)] = new LoraWeights(Transpose(a.Values, shape.InputWidth(projection), rank), Transpose(b.Values, rank, shape.OutputWidth(projection)));
        }

        var targets = Enum.GetValues<LoraProjection>().Where(projection => weights.Keys.Any(key => key.Item2 == projection)).ToList();
        return new LoraAdapter(name, rank, 1.0, targets, weights);
    }

    /// <summary>
    /// This adapter's factors as an <c>.onnx_adapter</c> file holds them, named as ORT GenAI's model builder names them
    /// (after Olive's <c>ExtractAdapters</c>; <paramref name="attention"/> <c>self_attn</c> names them as Olive's
    /// <c>convert-adapters</c> does): <c>lora_A</c> [in, r] and <c>lora_B</c> [r, out] with the scale multiplied in
    /// (in float32), stored as <paramref name="dataType"/>. What <see cref="FromOnnxAdapter"/> reads back.
    /// </summary>
    public IReadOnlyList<OnnxAdapterParameter> ToOnnxAdapterParameters(LoraTargetShape shape, string dataType = OnnxAdapterFile.TypeFloat, string attention = "attn")
    {
        ArgumentNullException.ThrowIfNull(shape);
        var parameters = new List<OnnxAdapterParameter>();
        foreach (var ((layer, projection), w) in _weights.OrderBy(pair => pair.Key.Layer).ThenBy(pair => pair.Key.Projection))
        {
            int k = shape.InputWidth(projection), n = shape.OutputWidth(projection);
            var prefix = string.Create(CultureInfo.InvariantCulture, $"model.layers.{layer}.{attention}.{LoraTargetShape.ModuleName(projection)}");
            var b = Transpose(w.B, n, Rank);
            for (var i = 0; i < b.Length; i++)
            {
                b[i] = (float)(b[i] * Scale);
            }

            parameters.Add(new OnnxAdapterParameter($"{prefix}.lora_A.weight", dataType, [k, Rank], Transpose(w.A, Rank, k)));
            parameters.Add(new OnnxAdapterParameter($"{prefix}.lora_B.weight", dataType, [Rank, n], b));
        }

        return parameters;
    }

    private static LoraAdapter LoadOnnxAdapter(string path, string name, LoraTargetShape shape, LoraLimits limits) =>
        FromOnnxAdapter(name, OnnxAdapterFile.Read(path, limits.MaxBytes), Path.GetFileName(path), shape, limits);

    /// <summary>The transpose of <paramref name="values"/>, a row-major [<paramref name="rows"/>, <paramref name="columns"/>] matrix.</summary>
    private static float[] Transpose(float[] values, int rows, int columns)
    {
        var transposed = new float[values.Length];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                transposed[(j * rows) + i] = values[(i * columns) + j];
            }
        }

        return transposed;
    }

    // model.layers.{i}.attn.q_proj.lora_A.MatMul.weight (the builder's initializer), ….lora_A.weight (Olive's
    // ExtractAdapters of it), model.layers.{i}.self_attn.q_proj.lora_A.weight (Olive's convert-adapters of a PEFT adapter).
    [GeneratedRegex(@"^(?:base_model\.model\.)?model\.layers\.(?<layer>\d+)\.(?:self_attn|attn)\.(?<module>[qkvo]_proj)\.lora_(?<factor>[AB])(?:\.MatMul)?\.weight$", RegexOptions.CultureInvariant)]
    private static partial Regex OnnxAdapterFactorName();

    // A LoRA factor of any other module (mlp.gate_proj, mlp.down_proj, attn.qkv_proj, …), quantized or not.
    [GeneratedRegex(@"(?:^|\.)layers\.\d+\.(?:[^.]+\.)*?(?<module>[^.]+)\.lora_[AB](?:\.MatMul)?\.(?:quant\.)?(?:weight|scale|zero_point)$", RegexOptions.CultureInvariant)]
    private static partial Regex OtherLoraFactorName();
}
