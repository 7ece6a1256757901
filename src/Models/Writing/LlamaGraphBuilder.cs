using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Models.Onnx;

namespace Ember.Models.Writing;

/// <summary>
/// Builds the decoder graph in the form ONNX Runtime GenAI's model builder exports for Llama:
/// inputs <c>input_ids</c>, <c>attention_mask</c>, <c>past_key_values.{i}.key|value</c>; outputs
/// <c>logits</c>, <c>present.{i}.key|value</c>; <c>SimplifiedLayerNormalization</c> /
/// <c>SkipSimplifiedLayerNormalization</c>; a packed QKV projection into <c>GroupQueryAttention</c>
/// with rotary embedding from cos/sin caches, <c>seqlens_k</c> and <c>total_sequence_length</c>
/// computed from the attention mask; a SwiGLU MLP; <c>MatMulNBits</c> projections when quantized.
/// With <see cref="LlamaWriterOptions.QuerySeqlens"/> the graph also takes <c>query_seqlens</c> (see
/// <see cref="QuerySeqlensName"/> and <see cref="PackedRows"/>), which the model builder's exports do not; with
/// <see cref="LlamaWriterOptions.Lora"/> it takes LoRA adapters per row on q/k/v/o (<see cref="LoraGraphInputs"/>). With
/// <see cref="LlamaWriterOptions.KvCache"/> <see cref="KvCacheType.Int8"/> the cache inputs and outputs are int8 and each
/// attention node dequantizes them with fixed scales (<see cref="KvCacheQuantization"/>).
/// </summary>
/// <remarks>
/// fp16 is written like the builder's CUDA fp16 export: float16 weights, activations, KV cache
/// (<c>GroupQueryAttention</c> in float16) and logits. One concession to the CPU provider, which has no float16
/// <c>MatMul</c>, <c>Sigmoid</c> or <c>Mul</c> on x64: each projection and the MLP run in float32 between two
/// <c>Cast</c>s, so the graph runs on every provider.
/// </remarks>
internal sealed class LlamaGraphBuilder
{
    /// <summary>
    /// The optional input of valid tokens per row (int32 [rows]), fed to every <c>GroupQueryAttention</c>: rows of a step
    /// are right-padded chunks, row b's first <c>query_seqlens[b]</c> tokens valid (0: an idle row whose cache is left
    /// as it is), and the logits are then only each row's last valid position's, [rows, 1, vocab]. It is an overridable
    /// initializer holding -1, so a caller that does not feed it (ORT GenAI) gets the model builder's behaviour:
    /// every row takes min(sequence length, <c>seqlens_k</c> + 1) tokens and the logits of every position.
    /// </summary>
    public const string QuerySeqlensName = "query_seqlens";

    /// <summary>
    /// The optional input, beside <see cref="QuerySeqlensName"/>, of how many of each row's last valid positions return
    /// logits (int32 [rows]; 0 for none): the logits are then [Σ counts, 1, vocab], row after row, positions in order.
    /// Speculative decoding verifies a row's drafted tokens with it. An overridable initializer holding -1: one position
    /// a row, the last, when it is not fed. Only read when <c>query_seqlens</c> is fed.
    /// </summary>
    public const string LogitCountsName = "logit_counts";

    /// <summary><c>GroupQueryAttention</c>'s input index of <c>query_seqlens</c> in ONNX Runtime 1.32's schema.</summary>
    private const int QuerySeqlensSlot = 16;

    /// <summary><c>GroupQueryAttention</c>'s input index of <c>k_scale</c>.</summary>
    private const int KeyScaleSlot = 12;

    /// <summary><c>GroupQueryAttention</c>'s input index of <c>v_scale</c>.</summary>
    private const int ValueScaleSlot = 13;

    private const float Epsilon = 1e-5f;
    private const float RopeTheta = 10000f;
    private const float OutputScale = 4f;

    /// <summary>MatMulNBits' accuracy level: 4 (int8 activations), the builder's CPU choice; 8-bit weights at level 0 ran 25 times slower.</summary>
    private const long QuantizedAccuracyLevel = 4;

    private readonly LlamaShape _shape;
    private readonly ModelVariant _variant;
    private readonly LlamaWriterOptions _options;
    private readonly ModelTokenizer _tokenizer;
    private readonly int _block;
    private readonly OnnxGraph _graph = new("ember_llama");

    /// <summary>Prepares a builder.</summary>
    /// <param name="shape">The model's size; its vocabulary is the tokenizer's.</param>
    /// <param name="variant">How the weights are stored.</param>
    /// <param name="options">Seed and end-of-sequence bias.</param>
    /// <param name="tokenizer">The tokenizer: its muted tokens get a zero output column, so greedy decoding never picks them.</param>
    public LlamaGraphBuilder(LlamaShape shape, ModelVariant variant, LlamaWriterOptions options, ModelTokenizer tokenizer)
    {
        shape.Validate();
        _shape = shape;
        _variant = variant;
        _options = options;
        _tokenizer = tokenizer;
        _block = options.QuantizationBlock ?? shape.DefaultQuantizationBlock;
        if (_block is not (16 or 32 or 64 or 128 or 256) || shape.Hidden % _block != 0 || shape.Intermediate % _block != 0)
        {
            throw new ArgumentException($"Invalid quantization block {_block}: use 16, 32, 64, 128 or 256, dividing Hidden ({shape.Hidden}) and Intermediate ({shape.Intermediate}).", nameof(options));
        }
    }

    /// <summary>Builds the graph; its weight tensors are made when it is written (<see cref="OnnxGraph.Write"/>).</summary>
    public OnnxGraph Build()
    {
        var s = _shape;
        var kvDims = new object[] { "batch_size", (long)s.KvHeads, "past_sequence_length", (long)s.HeadSize };
        var presentDims = new object[] { "batch_size", (long)s.KvHeads, "total_sequence_length", (long)s.HeadSize };
        var inputIds = _graph.Input("input_ids", OnnxDataType.Int64, "batch_size", "sequence_length");
        var mask = _graph.Input("attention_mask", OnnxDataType.Int64, "batch_size", "total_sequence_length");
        for (var i = 0; i < s.Layers; i++)
        {
            _graph.Input($"past_key_values.{i}.key", CacheType, kvDims);
            _graph.Input($"past_key_values.{i}.value", CacheType, kvDims);
        }

        _graph.Output("logits", Activation, "batch_size", "sequence_length", (long)s.VocabSize);
        for (var i = 0; i < s.Layers; i++)
        {
            _graph.Output($"present.{i}.key", CacheType, presentDims);
            _graph.Output($"present.{i}.value", CacheType, presentDims);
        }

        var (seqlensK, totalLength) = AttentionLengths(mask);
        var packing = _options.QuerySeqlens ? PackedRows.Build(_graph, inputIds, seqlensK) : null;
        var (cos, sin) = RotaryCaches();
        var lora = _options.LoraFor(_shape) ? LoraNodes.Build(_graph, inputIds, packing) : null;
        var loraShape = LoraTargetShape.From(s);

        var hidden = Embedding(packing?.PackIds(inputIds) ?? inputIds);
        string? residual = null;
        for (var i = 0; i < s.Layers; i++)
        {
            var prefix = $"/model/layers.{i}";
            var normed = residual is null
                ? _graph.Node("SimplifiedLayerNormalization", $"{prefix}/input_layernorm/LayerNorm", [hidden, Ones($"model.layers.{i}.input_layernorm.weight")],
                    OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", Epsilon), OnnxAttribute.Int("stash_type", 1))
                : SkipNorm($"{prefix}/input_layernorm/SkipLayerNorm", hidden, residual, $"model.layers.{i}.input_layernorm.weight", out residual);
            residual ??= hidden;

            var qkvWidth = s.Hidden + (2 * s.KvHeads * s.HeadSize);
            var qkvIn = ToFloat($"{prefix}/attn/qkv_proj", normed);
            var qkvOut = Linear($"{prefix}/attn/qkv_proj", qkvIn, s.Hidden, qkvWidth, 1f / MathF.Sqrt(s.Hidden), MergedDelta(i, loraShape, LoraProjection.Query, LoraProjection.Key, LoraProjection.Value));
            if (lora is not null)
            {
                var deltas = new[] { LoraProjection.Query, LoraProjection.Key, LoraProjection.Value }
                    .Select(p => lora.Delta(i, p, qkvIn, s.Hidden, loraShape.OutputWidth(p))).ToArray();
                qkvOut = _graph.Node("Add", $"{prefix}/attn/qkv_proj/lora/Add", [qkvOut, _graph.Node("Concat", $"{prefix}/attn/qkv_proj/lora/Concat", deltas, OnnxAttribute.Int("axis", -1))]);
            }

            var qkv = ToActivation($"{prefix}/attn/qkv_proj", qkvOut);
            qkv = packing?.Pad($"{prefix}/attn/qkv_padded", qkv, qkvWidth) ?? qkv;
            var attention = _graph.NodeWithOutputs(
                "GroupQueryAttention",
                $"{prefix}/attn/GroupQueryAttention",
                AttentionInputs(qkv, i, seqlensK, totalLength, cos, sin, packing?.QueryLengths, CacheScales(i)),
                [$"{prefix}/attn/GroupQueryAttention/output_0", $"present.{i}.key", $"present.{i}.value"],
                OnnxGraph.MicrosoftDomain,
                [
                    OnnxAttribute.Int("num_heads", s.Heads),
                    OnnxAttribute.Int("kv_num_heads", s.KvHeads),
                    OnnxAttribute.Float("scale", 1f / MathF.Sqrt(s.HeadSize)),
                    OnnxAttribute.Int("do_rotary", 1),
                    OnnxAttribute.Int("rotary_interleaved", 0),
                    OnnxAttribute.Int("local_window_size", -1),
                    .. QuantizedCacheAttributes(),
                ])[0];
            attention = packing?.Pack($"{prefix}/attn/output_packed", attention, s.Hidden) ?? attention;
            var oIn = ToFloat($"{prefix}/attn/o_proj", attention);
            var oOut = Linear($"{prefix}/attn/o_proj", oIn, s.Hidden, s.Hidden, 1f / MathF.Sqrt(s.Hidden), MergedDelta(i, loraShape, LoraProjection.Output));
            if (lora is not null)
            {
                oOut = _graph.Node("Add", $"{prefix}/attn/o_proj/lora/Add", [oOut, lora.Delta(i, LoraProjection.Output, oIn, s.Hidden, s.Hidden)]);
            }

            var attentionOut = ToActivation($"{prefix}/attn/o_proj", oOut);

            var mlpIn = ToFloat($"{prefix}/mlp", SkipNorm($"{prefix}/post_attention_layernorm/SkipLayerNorm", attentionOut, residual, $"model.layers.{i}.post_attention_layernorm.weight", out residual));
            var gate = Linear($"{prefix}/mlp/gate_proj", mlpIn, s.Hidden, s.Intermediate, 1f / MathF.Sqrt(s.Hidden));
            var up = Linear($"{prefix}/mlp/up_proj", mlpIn, s.Hidden, s.Intermediate, 1f / MathF.Sqrt(s.Hidden));
            var sigmoid = _graph.Node("Sigmoid", $"{prefix}/mlp/act_fn/Sigmoid", [gate]);
            var silu = _graph.Node("Mul", $"{prefix}/mlp/act_fn/Mul", [gate, sigmoid]);
            var product = _graph.Node("Mul", $"{prefix}/mlp/Mul", [silu, up]);
            hidden = ToActivation($"{prefix}/mlp/down_proj", Linear($"{prefix}/mlp/down_proj", product, s.Intermediate, s.Hidden, 1f / MathF.Sqrt(s.Intermediate)));
        }

        var final = SkipNorm("/model/norm/SkipLayerNorm", hidden, residual!, "model.norm.weight", out _);
        if (packing is not null)
        {
            final = packing.OutputPositions(final, s.Hidden);
        }

        OutputProjection(ToFloat("/lm_head", final));
        return _graph;
    }

    private (string SeqlensK, string TotalLength) AttentionLengths(string mask)
    {
        const string prefix = "/model/attn_mask_reformat/attn_mask_subgraph";
        var sum = _graph.Node("ReduceSum", $"{prefix}/ReduceSum", [mask, Int64Constant("/model/constants/axes_1", [1], 1)], OnnxAttribute.Int("keepdims", 0));
        var lastIndex = _graph.Node("Sub", $"{prefix}/Sub", [sum, Int64Constant("/model/constants/one", [], 1)]);
        var seqlensK = _graph.Node("Cast", $"{prefix}/Sub/Cast", [lastIndex], OnnxAttribute.Int("to", (int)OnnxDataType.Int32));
        var shape = _graph.Node("Shape", $"{prefix}/Shape", [mask]);
        var width = _graph.Node("Gather", $"{prefix}/Gather", [shape, Int64Constant("/model/constants/index_1", [], 1)], OnnxAttribute.Int("axis", 0));
        var total = _graph.Node("Cast", $"{prefix}/Gather/Cast", [width], OnnxAttribute.Int("to", (int)OnnxDataType.Int32));
        return (seqlensK, total);
    }

    /// <summary>
    /// The attention node's inputs: the builder's nine, the cache's scales in their slots when it is quantized, and
    /// <c>query_seqlens</c> in its slot when the graph takes it.
    /// </summary>
    private static string[] AttentionInputs(string qkv, int layer, string seqlensK, string totalLength, string cos, string sin, string? queryLengths, (string Key, string Value)? scales)
    {
        string[] inputs = [qkv, string.Empty, string.Empty, $"past_key_values.{layer}.key", $"past_key_values.{layer}.value", seqlensK, totalLength, cos, sin];
        if (queryLengths is null && scales is null)
        {
            return inputs;
        }

        var all = new string[queryLengths is null ? ValueScaleSlot + 1 : QuerySeqlensSlot + 1];
        Array.Fill(all, string.Empty);
        inputs.CopyTo(all, 0);
        if (scales is { } pair)
        {
            all[KeyScaleSlot] = pair.Key;
            all[ValueScaleSlot] = pair.Value;
        }

        if (queryLengths is not null)
        {
            all[QuerySeqlensSlot] = queryLengths;
        }

        return all;
    }

    /// <summary>An int8 cache's dequantization scales of one layer (<see cref="KvCacheQuantization"/>); none for a float cache.</summary>
    private (string Key, string Value)? CacheScales(int layer)
    {
        if (_options.KvCache != KvCacheType.Int8)
        {
            return null;
        }

        return (
            _graph.Initializer(OnnxTensor.Float($"model.layers.{layer}.attn.k_scale", [1], [KvCacheQuantization.Scale])),
            _graph.Initializer(OnnxTensor.Float($"model.layers.{layer}.attn.v_scale", [1], [KvCacheQuantization.Scale])));
    }

    /// <summary><c>GroupQueryAttention</c>'s attributes for an int8 cache; none for a float cache.</summary>
    private OnnxAttribute[] QuantizedCacheAttributes() => _options.KvCache != KvCacheType.Int8
        ? []
        :
        [
            OnnxAttribute.String("k_quant_type", KvCacheQuantization.Mode),
            OnnxAttribute.String("v_quant_type", KvCacheQuantization.Mode),
            OnnxAttribute.Int("kv_cache_bit_width", KvCacheQuantization.BitWidth),
        ];

    private (string Cos, string Sin) RotaryCaches()
    {
        var half = _shape.HeadSize / 2;
        var cos = new float[_shape.ContextLength * half];
        var sin = new float[_shape.ContextLength * half];
        for (var p = 0; p < _shape.ContextLength; p++)
        {
            for (var j = 0; j < half; j++)
            {
                var angle = p * Math.Pow(RopeTheta, -2.0 * j / _shape.HeadSize);
                cos[(p * half) + j] = (float)Math.Cos(angle);
                sin[(p * half) + j] = (float)Math.Sin(angle);
            }
        }

        long[] dims = [_shape.ContextLength, half];
        return (_graph.Initializer(ActivationTensor("cos_cache", dims, cos)), _graph.Initializer(ActivationTensor("sin_cache", dims, sin)));
    }

    private string Embedding(string inputIds)
    {
        const string name = "model.embed_tokens.weight";
        var table = _graph.Initializer(RandomWeights.Floats(new SeededRandom(_options.Seed, name), name, _shape.VocabSize, _shape.Hidden, 1f, _variant == ModelVariant.Fp16));
        return _graph.Node("Gather", "/model/embed_tokens/Gather", [table, inputIds]);
    }

    private string SkipNorm(string name, string input, string skip, string weightName, out string sum)
    {
        var outputs = _graph.NodeWithOutputs(
            "SkipSimplifiedLayerNormalization",
            name,
            [input, skip, Ones(weightName)],
            [$"{name}/output_0", string.Empty, string.Empty, $"{name}/output_3"],
            OnnxGraph.MicrosoftDomain,
            OnnxAttribute.Float("epsilon", Epsilon));
        sum = outputs[3];
        return outputs[0];
    }

    private void OutputProjection(string input)
    {
        var muted = new bool[_shape.VocabSize];
        foreach (var id in _tokenizer.MutedIds)
        {
            muted[id] = true;
        }

        var float16 = Activation == OnnxDataType.Float16;
        var standardDeviation = OutputScale / MathF.Sqrt(_shape.Hidden);
        if (_options.EndOfSequenceBias is not { } bias)
        {
            var logits = Linear("/lm_head", input, _shape.Hidden, _shape.VocabSize, standardDeviation, "lm_head.weight", muted, float16 ? null : "logits");
            if (float16)
            {
                _graph.NodeWithOutputs("Cast", "/lm_head/OutputCast", [logits], ["logits"], string.Empty, OnnxAttribute.Int("to", (int)OnnxDataType.Float16));
            }

            return;
        }

        var projected = Linear("/lm_head", input, _shape.Hidden, _shape.VocabSize, standardDeviation, "lm_head.weight", muted, null);
        var biases = new float[_shape.VocabSize];
        biases[_tokenizer.EosId] = bias;
        var biasName = _graph.Initializer(OnnxTensor.Float("lm_head.bias", [_shape.VocabSize], biases));
        if (!float16)
        {
            _graph.NodeWithOutputs("Add", "/lm_head/Add", [projected, biasName], ["logits"], string.Empty);
            return;
        }

        var biased = _graph.Node("Add", "/lm_head/Add", [projected, biasName]);
        _graph.NodeWithOutputs("Cast", "/lm_head/OutputCast", [biased], ["logits"], string.Empty, OnnxAttribute.Int("to", (int)OnnxDataType.Float16));
    }

    private string Linear(string name, string input, int k, int n, float standardDeviation, float[]? delta = null) =>
        Linear(name, input, k, n, standardDeviation, $"{name}.weight", null, null, delta);

    /// <summary>
    /// The merged adapter's change to the weight [hidden, Σ outputs] of <paramref name="projections"/> side by side in
    /// <paramref name="layer"/> (<see cref="LlamaWriterOptions.MergedAdapter"/>); null without one.
    /// </summary>
    private float[]? MergedDelta(int layer, LoraTargetShape shape, params LoraProjection[] projections)
    {
        if (_options.MergedAdapter is not { } adapter)
        {
            return null;
        }

        if (_variant is not (ModelVariant.Fp32 or ModelVariant.Fp16))
        {
            throw new NotSupportedException($"A merged adapter is written into fp32 and fp16 weights only, not {_variant}.");
        }

        var width = projections.Sum(shape.OutputWidth);
        var merged = new float[shape.Hidden * width];
        var column = 0;
        foreach (var projection in projections)
        {
            var n = shape.OutputWidth(projection);
            if (adapter.Delta(layer, projection, shape) is { } delta)
            {
                for (var row = 0; row < shape.Hidden; row++)
                {
                    delta.AsSpan(row * n, n).CopyTo(merged.AsSpan((row * width) + column, n));
                }
            }

            column += n;
        }

        return merged;
    }

    /// <summary>A [k → n] projection of pseudo-random weights drawn from the stream named <paramref name="streamName"/>.</summary>
    private string Linear(string name, string input, int k, int n, float standardDeviation, string streamName, bool[]? mutedColumns, string? outputName, float[]? delta = null)
    {
        var output = outputName ?? $"{name}/MatMul/output_0";
        var random = new SeededRandom(_options.Seed, streamName);
        switch (_variant)
        {
            case ModelVariant.Fp32:
                _graph.NodeWithOutputs("MatMul", $"{name}/MatMul", [input, _graph.Initializer(RandomWeights.Floats(random, $"{name}.weight", k, n, standardDeviation, float16: false, mutedColumns, delta))], [output], string.Empty);
                break;
            case ModelVariant.Fp16:
                var half = _graph.Initializer(RandomWeights.Floats(random, $"{name}.weight", k, n, standardDeviation, float16: true, mutedColumns, delta));
                var cast = _graph.Node("Cast", $"{name}/Cast", [half], OnnxAttribute.Int("to", (int)OnnxDataType.Float));
                _graph.NodeWithOutputs("MatMul", $"{name}/MatMul", [input, cast], [output], string.Empty);
                break;
            default:
                var bits = _variant == ModelVariant.Int8 ? 8 : 4;
                var (codes, scales) = RandomWeights.Quantized(random, $"{name}.weight", k, n, bits, _block, standardDeviation, mutedColumns);
                _graph.NodeWithOutputs(
                    "MatMulNBits",
                    $"{name}/MatMul",
                    [input, _graph.Initializer(codes), _graph.Initializer(scales)],
                    [output],
                    OnnxGraph.MicrosoftDomain,
                    OnnxAttribute.Int("K", k),
                    OnnxAttribute.Int("N", n),
                    OnnxAttribute.Int("bits", bits),
                    OnnxAttribute.Int("block_size", _block),
                    OnnxAttribute.Int("accuracy_level", QuantizedAccuracyLevel));
                break;
        }

        return output;
    }

    private string Ones(string name)
    {
        var ones = new float[_shape.Hidden];
        Array.Fill(ones, 1f);
        return _graph.Initializer(ActivationTensor(name, [_shape.Hidden], ones));
    }

    /// <summary>The element type of activations and the logits: float16 for fp16, else float32.</summary>
    private OnnxDataType Activation => _variant == ModelVariant.Fp16 ? OnnxDataType.Float16 : OnnxDataType.Float;

    /// <summary>The element type of the KV cache: int8 when asked (<see cref="LlamaWriterOptions.KvCache"/>), else the activations'.</summary>
    private OnnxDataType CacheType => _options.KvCache == KvCacheType.Int8 ? OnnxDataType.Int8 : Activation;

    private OnnxTensor ActivationTensor(string name, long[] dims, float[] values) =>
        Activation == OnnxDataType.Float16 ? OnnxTensor.Float16(name, dims, values) : OnnxTensor.Float(name, dims, values);

    /// <summary>fp16: casts an activation to float32 for the float32-only part that follows; otherwise the input itself.</summary>
    private string ToFloat(string name, string input) =>
        Activation == OnnxDataType.Float16 ? _graph.Node("Cast", $"{name}/InputCast", [input], OnnxAttribute.Int("to", (int)OnnxDataType.Float)) : input;

    /// <summary>fp16: casts a float32 result back to float16; otherwise the input itself.</summary>
    private string ToActivation(string name, string input) =>
        Activation == OnnxDataType.Float16 ? _graph.Node("Cast", $"{name}/OutputCast", [input], OnnxAttribute.Int("to", (int)OnnxDataType.Float16)) : input;

    private string Int64Constant(string name, long[] dims, long value) => _graph.Initializer(OnnxTensor.Int64(name, dims, [value]));
}
