using System.Globalization;
using System.Text.RegularExpressions;
using Ember.Models.Onnx;
using Ember.Models.Writing;

namespace Ember.Models.Lora;

/// <summary>
/// Adds per-row LoRA inputs (<see cref="LoraGraphInputs"/>, as Ember's own models have them) to a model builder
/// export when it loads, so that it serves adapters as Ember's graphs do. The graph is read as the builder writes it:
/// each layer's attention projections are the nodes <c>/model/layers.{i}/attn/{qkv_proj | q_proj, k_proj, v_proj}/MatMul</c>
/// and <c>…/o_proj/MatMul</c> (<c>MatMul</c> or <c>MatMulNBits</c>, the quantizer's <c>_Q4</c>/<c>_Q8</c> suffixes
/// taken), whose inputs are [batch, sequence, width] (no <c>query_seqlens</c> packing). Each projection's output gains
/// the delta of <see cref="LoraNodes"/>, computed in float32 (<c>Cast</c> in, <c>CastLike</c> back to the activations'
/// type), and every other byte of the model is kept: the weights stay where they are, in the external data file.
/// </summary>
/// <remarks>Stateless; the result is a new <c>ModelProto</c> in memory, to be loaded with the original file's folder as the external data's.</remarks>
public static partial class LoraGraft
{
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeName = 3;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;

    /// <summary>The lowest ONNX opset the added nodes need (<c>CastLike</c>).</summary>
    public const int MinimumOpset = 15;

    /// <summary>Reads the model in <paramref name="modelPath"/> and returns it with LoRA inputs for <paramref name="shape"/>.</summary>
    /// <param name="modelPath">The decoder's ONNX file (a model builder export).</param>
    /// <param name="shape">The sizes of the model's projections, from its configuration.</param>
    /// <param name="inputIds">The name of the graph's token input ([batch, sequence]).</param>
    /// <exception cref="InvalidDataException">The graph is not in the builder's form: a layer's projection is missing or of another size, it has LoRA inputs already, or its opset is below <see cref="MinimumOpset"/>.</exception>
    public static byte[] Apply(string modelPath, LoraTargetShape shape, string inputIds)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var bytes = File.ReadAllBytes(modelPath);
        try
        {
            return Graft(bytes, shape, inputIds);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{modelPath}: {e.Message}", e);
        }
    }

    private static byte[] Graft(ReadOnlySpan<byte> model, LoraTargetShape shape, string inputIds)
    {
        var reader = new ProtoReader(model);
        var result = new ProtoWriter();
        var grafted = false;
        while (!reader.End)
        {
            var start = reader.Position;
            var (field, wire) = reader.ReadTag();
            if (field == ModelGraph && wire == 2)
            {
                result.WriteBytes(ModelGraph, GraftGraph(reader.ReadBytes(), shape, inputIds));
                grafted = true;
                continue;
            }

            if (field == ModelOpsetImport && wire == 2)
            {
                CheckOpset(reader.ReadBytes());
            }
            else
            {
                reader.Skip(wire);
            }

            result.WriteRaw(reader.Since(start));
        }

        return grafted ? result.ToArray() : throw new InvalidDataException("the file holds no graph.");
    }

    private static void CheckOpset(ReadOnlySpan<byte> opset)
    {
        // OperatorSetIdProto: domain (1), version (2).
        var (domain, version) = ReadStringAndVarint(opset, 2);
        if ((domain ?? string.Empty) is "" or "ai.onnx" && (version ?? 0) < MinimumOpset)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"its ONNX opset is {version ?? 0}; the LoRA inputs Ember adds need {MinimumOpset} or later."));
        }
    }

    /// <summary>A message's string field 1 and its varint field <paramref name="numberField"/> (the last of each), skipping every other.</summary>
    private static (string? Text, long? Number) ReadStringAndVarint(ReadOnlySpan<byte> message, int numberField)
    {
        var reader = new ProtoReader(message);
        string? text = null;
        long? number = null;
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 2)
            {
                text = reader.ReadString();
            }
            else if (field == numberField && wire == 0)
            {
                number = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (text, number);
    }

    private static byte[] GraftGraph(ReadOnlySpan<byte> graph, LoraTargetShape shape, string inputIds)
    {
        var nodes = new List<GraphNodeInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var dims = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var reader = new ProtoReader(graph);
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (wire != 2)
            {
                reader.Skip(wire);
                continue;
            }

            var value = reader.ReadBytes();
            switch (field)
            {
                case GraphNode:
                    var node = GraphNodeInfo.Read(value);
                    nodes.Add(node);
                    names.Add(node.Name);
                    break;
                case GraphInitializer:
                    var (name, shapeDims) = ReadTensorHeader(value);
                    names.Add(name);
                    dims[name] = shapeDims;
                    break;
                case GraphInput:
                    names.Add(ReadValueName(value));
                    break;
            }
        }

        if (names.Contains(LoraGraphInputs.RowAdapters))
        {
            throw new InvalidDataException($"its graph has a {LoraGraphInputs.RowAdapters} input already.");
        }

        var projections = FindProjections(nodes, shape, dims);
        var fragment = new OnnxGraph("lora");
        var lora = LoraNodes.Build(fragment, inputIds, packing: null);
        var maskNodes = fragment.Nodes.Count;
        var added = new Dictionary<int, (int Start, int End)>();
        foreach (var projection in projections)
        {
            var start = fragment.Nodes.Count;
            AddDelta(fragment, lora, projection, shape);
            added[projection.NodeIndex] = (start, fragment.Nodes.Count);
        }

        foreach (var name in fragment.Nodes.Select(n => n.Name).Concat(fragment.Initializers.Select(t => t.Name)).Concat(fragment.Inputs.Select(i => i.Name)))
        {
            if (names.Contains(name))
            {
                throw new InvalidDataException($"its graph has a node or value named '{name}' already, which Ember's LoRA inputs add.");
            }
        }

        var result = new ProtoWriter();
        reader = new ProtoReader(graph);
        var nodeIndex = 0;
        while (!reader.End)
        {
            var start = reader.Position;
            var (field, wire) = reader.ReadTag();
            if (field != GraphNode || wire != 2)
            {
                reader.Skip(wire);
                result.WriteRaw(reader.Since(start));
                continue;
            }

            var node = reader.ReadBytes();

            if (nodeIndex == 0)
            {
                // The mask's nodes read only graph inputs; they go first, so the node list stays in topological order.
                for (var i = 0; i < maskNodes; i++)
                {
                    result.WriteMessage(GraphNode, fragment.Nodes[i].ToProto());
                }
            }

            if (added.TryGetValue(nodeIndex, out var range))
            {
                result.WriteBytes(GraphNode, GraphNodeInfo.WithFirstOutput(node, BaseOutput(nodes[nodeIndex])));
                for (var i = range.Start; i < range.End; i++)
                {
                    result.WriteMessage(GraphNode, fragment.Nodes[i].ToProto());
                }
            }
            else
            {
                result.WriteRaw(reader.Since(start));
            }

            nodeIndex++;
        }

        foreach (var initializer in fragment.Initializers)
        {
            result.WriteMessage(GraphInitializer, initializer.ToProto());
        }

        foreach (var input in fragment.Inputs)
        {
            result.WriteMessage(GraphInput, input.ToProto());
        }

        return result.ToArray();
    }

    /// <summary>The delta of one projection node, added to its output under the output's own name.</summary>
    private static void AddDelta(OnnxGraph fragment, LoraNodes lora, FoundProjection found, LoraTargetShape shape)
    {
        var node = found.Node;
        var name = $"{node.Name}/lora";
        var input = node.Inputs[0];
        var input32 = fragment.Node("Cast", $"{name}/InputCast", [input], OnnxAttribute.Int("to", (int)OnnxDataType.Float));
        var deltas = found.Targets.Select(p => lora.Delta(found.Layer, p, input32, shape.InputWidth(p), shape.OutputWidth(p))).ToArray();
        var delta = deltas.Length == 1 ? deltas[0] : fragment.Node("Concat", $"{name}/Concat", deltas, OnnxAttribute.Int("axis", -1));
        var cast = fragment.Node("CastLike", $"{name}/OutputCast", [delta, input]);
        fragment.NodeWithOutputs("Add", $"{name}/Add", [BaseOutput(node), cast], [node.Outputs[0]], string.Empty);
    }

    private static string BaseOutput(GraphNodeInfo node) => $"{node.Name}/lora/base_output";

    private static List<FoundProjection> FindProjections(List<GraphNodeInfo> nodes, LoraTargetShape shape, Dictionary<string, long[]> dims)
    {
        var found = new List<FoundProjection>();
        var covered = new HashSet<(int Layer, LoraProjection Projection)>();
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var match = ProjectionName().Match(node.Name);
            if (!match.Success || node.OpType is not ("MatMul" or "MatMulNBits") || node.Inputs.Count < 2 || node.Outputs.Count < 1)
            {
                continue;
            }

            var layer = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            if (layer >= shape.Layers)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"node {node.Name} is in layer {layer}, but the configuration has {shape.Layers} layers."));
            }

            LoraProjection[] targets = match.Groups[2].Value == "qkv_proj"
                ? [LoraProjection.Query, LoraProjection.Key, LoraProjection.Value]
                : [LoraTargetShape.Parse(match.Groups[2].Value)!.Value];
            foreach (var target in targets)
            {
                if (!covered.Add((layer, target)))
                {
                    throw new InvalidDataException($"layer {layer.ToString(CultureInfo.InvariantCulture)} has two {LoraTargetShape.ModuleName(target)} projections (the second: {node.Name}).");
                }
            }

            CheckWidths(node, targets, shape, dims);
            found.Add(new FoundProjection(i, node, layer, targets));
        }

        var missing = Enumerable.Range(0, shape.Layers)
            .SelectMany(layer => Enum.GetValues<LoraProjection>().Where(p => !covered.Contains((layer, p))).Select(p => $"layers.{layer.ToString(CultureInfo.InvariantCulture)} {LoraTargetShape.ModuleName(p)}"))
            .ToList();
        return missing.Count == 0
            ? found
            : throw new InvalidDataException(
                $"Ember adds LoRA inputs to graphs in the model builder's form, whose projections are the nodes /model/layers.{{i}}/attn/{{qkv_proj | q_proj, k_proj, v_proj | o_proj}}/MatMul; " +
                $"it found none for {string.Join(", ", missing.Take(4))}{(missing.Count > 4 ? $" and {missing.Count - 4} more" : "")}.");
    }

    /// <summary>Checks a projection's input and output widths where the graph says them: <c>MatMulNBits</c>' K and N, or a <c>MatMul</c> weight initializer's dims.</summary>
    private static void CheckWidths(GraphNodeInfo node, LoraProjection[] targets, LoraTargetShape shape, Dictionary<string, long[]> dims)
    {
        var k = node.IntAttribute("K");
        var n = node.IntAttribute("N");
        if (node.OpType == "MatMul" && dims.TryGetValue(node.Inputs[1], out var weight) && weight.Length == 2)
        {
            (k, n) = (weight[0], weight[1]);
        }

        long expectedK = shape.InputWidth(targets[0]);
        long expectedN = targets.Sum(shape.OutputWidth);
        if ((k is { } inputs && inputs != expectedK) || (n is { } outputs && outputs != expectedN))
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"node {node.Name} maps {k} features to {n}, but the configuration's heads make its projection {expectedK} to {expectedN}."));
        }
    }

    private static (string Name, long[] Dims) ReadTensorHeader(ReadOnlySpan<byte> tensor)
    {
        var reader = new ProtoReader(tensor);
        var name = string.Empty;
        var dims = new List<long>();
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 0)
            {
                dims.Add((long)reader.ReadVarint());
            }
            else if (field == 1 && wire == 2)
            {
                var packed = new ProtoReader(reader.ReadBytes());
                while (!packed.End)
                {
                    dims.Add((long)packed.ReadVarint());
                }
            }
            else if (field == 8 && wire == 2)
            {
                name = reader.ReadString();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (name, [.. dims]);
    }

    private static string ReadValueName(ReadOnlySpan<byte> valueInfo)
    {
        var reader = new ProtoReader(valueInfo);
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 2)
            {
                return reader.ReadString();
            }

            reader.Skip(wire);
        }

        return string.Empty;
    }

    [GeneratedRegex(@"^/model/layers\.(\d{1,6})/attn/(qkv_proj|q_proj|k_proj|v_proj|o_proj)/MatMul(?:NBits)?(?:_Q\d)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectionName();

    private sealed record FoundProjection(int NodeIndex, GraphNodeInfo Node, int Layer, LoraProjection[] Targets);

    /// <summary>What the graft reads of a <c>NodeProto</c>.</summary>
    private sealed record GraphNodeInfo(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, long> Ints)
    {
        public static GraphNodeInfo Read(ReadOnlySpan<byte> node)
        {
            var reader = new ProtoReader(node);
            var (name, opType) = (string.Empty, string.Empty);
            var inputs = new List<string>();
            var outputs = new List<string>();
            var ints = new Dictionary<string, long>(StringComparer.Ordinal);
            while (!reader.End)
            {
                var (field, wire) = reader.ReadTag();
                if (wire != 2)
                {
                    reader.Skip(wire);
                    continue;
                }

                switch (field)
                {
                    case NodeInput:
                        inputs.Add(reader.ReadString());
                        break;
                    case NodeOutput:
                        outputs.Add(reader.ReadString());
                        break;
                    case NodeName:
                        name = reader.ReadString();
                        break;
                    case NodeOpType:
                        opType = reader.ReadString();
                        break;
                    case NodeAttribute:
                        ReadIntAttribute(reader.ReadBytes(), ints);
                        break;
                    default:
                        reader.ReadBytes();
                        break;
                }
            }

            return new GraphNodeInfo(name, opType, inputs, outputs, ints);
        }

        public long? IntAttribute(string name) => Ints.TryGetValue(name, out var value) ? value : null;

        /// <summary>The bytes of <paramref name="node"/> with its first output renamed <paramref name="output"/>; every other field as it was.</summary>
        public static byte[] WithFirstOutput(ReadOnlySpan<byte> node, string output)
        {
            var reader = new ProtoReader(node);
            var result = new ProtoWriter();
            var renamed = false;
            while (!reader.End)
            {
                var start = reader.Position;
                var (field, wire) = reader.ReadTag();
                reader.Skip(wire);
                if (field == NodeOutput && wire == 2 && !renamed)
                {
                    result.WriteString(NodeOutput, output);
                    renamed = true;
                }
                else
                {
                    result.WriteRaw(reader.Since(start));
                }
            }

            return result.ToArray();
        }

        private static void ReadIntAttribute(ReadOnlySpan<byte> attribute, Dictionary<string, long> ints)
        {
            // AttributeProto: name (1), i (3).
            if (ReadStringAndVarint(attribute, 3) is (string name, long value))
            {
                ints[name] = value;
            }
        }
    }
}
