using System.Text;
using Ember.Models.Catalog;
using Ember.Models.Lora;
using Ember.Models.Onnx;
using Ember.Models.Writing;
using Microsoft.ML.OnnxRuntime;

namespace Ember.Models.Tests.Lora;

/// <summary>
/// What <see cref="LoraGraft"/> finds in a graph of the model builder's form: the projection nodes under every name the
/// builder and its quantizer give them, and nothing else; the result loads in ONNX Runtime with the weights read from
/// the export's own data file.
/// </summary>
public sealed class LoraGraftTests : IAsyncLifetime
{
    private delegate bool NodeRewrite(ReadOnlySpan<byte> node, ProtoWriter graph);

    private readonly string _root = Directory.CreateTempSubdirectory("ember-graft-").FullName;

    private static readonly LoraProjection[] QueryKeyValue = [LoraProjection.Query, LoraProjection.Key, LoraProjection.Value];

    private static LoraTargetShape Shape => LoraTargetShape.From(LlamaShape.Tiny);

    private string ModelPath => Path.Combine(_root, "builder", GenAIConfigWriter.ModelFileName);

    public Task InitializeAsync() =>
        LlamaModelWriter.WriteAsync(Path.Combine(_root, "builder"), LlamaShape.Tiny, ModelVariant.Int4, new LlamaWriterOptions { Lora = false, QuerySeqlens = false }, CancellationToken.None);

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The builder names a pre-quantized projection <c>…/MatMulNBits</c>, and its post-export quantizer renames a
    /// <c>MatMul</c> it quantizes <c>…/MatMul_Q4</c>: each is found, gains its delta under its own name, and the result loads.
    /// </summary>
    [Fact]
    public void Apply_BuilderAndQuantizerNodeNames_EachProjectionGainsItsDelta()
    {
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["/model/layers.0/attn/qkv_proj/MatMul"] = "/model/layers.0/attn/qkv_proj/MatMulNBits",
            ["/model/layers.1/attn/qkv_proj/MatMul"] = "/model/layers.1/attn/qkv_proj/MatMul_Q4",
            ["/model/layers.1/attn/o_proj/MatMul"] = "/model/layers.1/attn/o_proj/MatMul_Q4",
        };
        var folder = Path.Combine(_root, "renamed");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, GenAIConfigWriter.ModelFileName), RenameNodes(File.ReadAllBytes(ModelPath), renamed));
        File.Copy(ModelPath + ".data", Path.Combine(folder, GenAIConfigWriter.ModelFileName + ".data"));

        var grafted = LoraGraft.Apply(Path.Combine(folder, GenAIConfigWriter.ModelFileName), Shape, "input_ids");

        var names = NodeNames(grafted);
        Assert.Equal(
            [
                "/model/layers.0/attn/o_proj/MatMul/lora/Add",
                "/model/layers.0/attn/qkv_proj/MatMulNBits/lora/Add",
                "/model/layers.1/attn/o_proj/MatMul_Q4/lora/Add",
                "/model/layers.1/attn/qkv_proj/MatMul_Q4/lora/Add",
            ],
            names.Where(name => name.EndsWith("/lora/Add", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(8, names.Count(name => name.EndsWith("/lora/Down", StringComparison.Ordinal) && name.Contains("/attn/", StringComparison.Ordinal)));
        using var options = new SessionOptions();
        options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", folder);
        using var session = new InferenceSession(grafted, options);
        Assert.Contains(LoraGraphInputs.RowAdapters, session.OverridableInitializerMetadata.Keys);
        Assert.Contains(LoraGraphInputs.A(1, LoraProjection.Value), session.OverridableInitializerMetadata.Keys);
    }

    /// <summary>Every byte outside the graph's nodes and the added inputs is the file's own: grafting twice the same file gives the same bytes, and the original's nodes are all there.</summary>
    [Fact]
    public void Apply_KeepsEveryNodeOfTheFile()
    {
        var original = NodeNames(File.ReadAllBytes(ModelPath));

        var grafted = NodeNames(LoraGraft.Apply(ModelPath, Shape, "input_ids"));

        Assert.Equal(LoraGraft.Apply(ModelPath, Shape, "input_ids"), LoraGraft.Apply(ModelPath, Shape, "input_ids"));
        Assert.Empty(original.Except(grafted));
        Assert.All(
            grafted.Except(original),
            name => Assert.True(name.StartsWith("/model/lora/", StringComparison.Ordinal) || (name.StartsWith("/model/layers.", StringComparison.Ordinal) && name.Contains("/attn/", StringComparison.Ordinal)), name));
    }

    /// <summary>
    /// A graph whose q, k and v are three <c>MatMul</c> nodes (as the builder writes them when it does not pack them,
    /// for DirectML) gives with an adapter fed the logits of the packed graph with the same adapter: each gains its own
    /// delta, and the three make the packed one's.
    /// </summary>
    [Fact]
    public async Task Apply_SeparateQueryKeyValueProjections_LogitsOfThePackedProjection()
    {
        var fp32 = Path.Combine(_root, "fp32", GenAIConfigWriter.ModelFileName);
        await LlamaModelWriter.WriteAsync(Path.GetDirectoryName(fp32)!, LlamaShape.Tiny, ModelVariant.Fp32, new LlamaWriterOptions { Lora = false, QuerySeqlens = false }, CancellationToken.None);
        var split = Path.Combine(_root, "split", GenAIConfigWriter.ModelFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(split)!);
        File.WriteAllBytes(split, SplitQueryKeyValue(File.ReadAllBytes(fp32)));
        File.Copy(fp32 + ".data", split + ".data");

        var packed = Logits(fp32, adapter: true);
        var separate = Logits(split, adapter: true);

        Assert.Equal(packed.Length, separate.Length);
        Assert.All(packed.Zip(separate), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
        Assert.Contains(packed.Zip(Logits(fp32, adapter: false)), pair => MathF.Abs(pair.First - pair.Second) > 1e-2f);
    }

    /// <summary>The logits of a 5-token prompt on the grafted <paramref name="modelPath"/>, with a random adapter of rank 4 on q/k/v/o fed to its row or none.</summary>
    private static float[] Logits(string modelPath, bool adapter)
    {
        const int Rank = 4, Tokens = 5;
        var shape = Shape;
        using var options = new SessionOptions();
        options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", Path.GetDirectoryName(modelPath)!);
        using var session = new InferenceSession(LoraGraft.Apply(modelPath, shape, "input_ids"), options);
        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal)
        {
            ["input_ids"] = OrtValue.CreateTensorValueFromMemory(new long[] { 1, 762, 769, 447, 761 }, [1, Tokens]),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(new long[] { 1, 1, 1, 1, 1 }, [1, Tokens]),
            [LoraGraphInputs.RowAdapters] = OrtValue.CreateTensorValueFromMemory(new long[] { adapter ? 0 : -1 }, [1]),
            [LoraGraphInputs.ColumnOwners] = OrtValue.CreateTensorValueFromMemory(new long[Rank], [Rank]),
        };
        var random = new Random(7);
        for (var layer = 0; layer < shape.Layers; layer++)
        {
            inputs[$"past_key_values.{layer}.key"] = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, shape.KvHeads, 0, shape.HeadSize]);
            inputs[$"past_key_values.{layer}.value"] = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, shape.KvHeads, 0, shape.HeadSize]);
            foreach (var projection in Enum.GetValues<LoraProjection>())
            {
                var (inputWidth, outputWidth) = (shape.InputWidth(projection), shape.OutputWidth(projection));
                inputs[LoraGraphInputs.A(layer, projection)] = OrtValue.CreateTensorValueFromMemory(Random(random, inputWidth * Rank), [inputWidth, Rank]);
                inputs[LoraGraphInputs.B(layer, projection)] = OrtValue.CreateTensorValueFromMemory(Random(random, Rank * outputWidth), [Rank, outputWidth]);
            }
        }

        try
        {
            using var outputs = session.Run(new RunOptions(), inputs.Keys.ToArray(), inputs.Values.ToArray(), ["logits"]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    private static float[] Random(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => (random.NextSingle() - 0.5f) * 0.5f)];

    /// <summary>Each layer's packed <c>qkv_proj</c> MatMul made three, on slices of its weight, concatenated into its output.</summary>
    private static byte[] SplitQueryKeyValue(byte[] model)
    {
        var shape = Shape;
        long[] widths = [.. QueryKeyValue.Select(p => (long)shape.OutputWidth(p))];
        return RewriteNodes(model, (node, graph) =>
        {
            var (name, inputs, outputs) = ReadNode(node);
            if (!name.EndsWith("/attn/qkv_proj/MatMul", StringComparison.Ordinal))
            {
                return false;
            }

            var prefix = name[..name.IndexOf("/qkv_proj/", StringComparison.Ordinal)];
            string[] weights = [$"{prefix}/q_weight", $"{prefix}/k_weight", $"{prefix}/v_weight"];
            graph.WriteMessage(1, new OnnxNode("Split", $"{prefix}/qkv_split", [inputs[1], $"{prefix}/qkv_widths"], weights, string.Empty, [OnnxAttribute.Int("axis", 1)]).ToProto());
            string[] products = [.. QueryKeyValue.Select(p => $"{prefix}/{LoraTargetShape.ModuleName(p)}/MatMul/output_0")];
            for (var i = 0; i < 3; i++)
            {
                graph.WriteMessage(1, new OnnxNode("MatMul", products[i][..^"/output_0".Length], [inputs[0], weights[i]], [products[i]], string.Empty, []).ToProto());
            }

            graph.WriteMessage(1, new OnnxNode("Concat", $"{prefix}/qkv_concat", products, [outputs[0]], string.Empty, [OnnxAttribute.Int("axis", -1)]).ToProto());
            graph.WriteMessage(5, OnnxTensor.Int64($"{prefix}/qkv_widths", [3], widths).ToProto());
            return true;
        });
    }

    private static (string Name, List<string> Inputs, List<string> Outputs) ReadNode(ReadOnlySpan<byte> node)
    {
        var reader = new ProtoReader(node);
        var (name, inputs, outputs) = (string.Empty, new List<string>(), new List<string>());
        while (!reader.End)
        {
            var (number, wire) = reader.ReadTag();
            switch (number, wire)
            {
                case (1, 2):
                    inputs.Add(reader.ReadString());
                    break;
                case (2, 2):
                    outputs.Add(reader.ReadString());
                    break;
                case (3, 2):
                    name = reader.ReadString();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return (name, inputs, outputs);
    }

    private static List<string> NodeNames(byte[] model)
    {
        var names = new List<string>();
        RewriteNodes(model, (node, _) =>
        {
            names.Add(Name(node));
            return false;
        });
        return names;
    }

    private static byte[] RenameNodes(byte[] model, Dictionary<string, string> renamed) =>
        RewriteNodes(model, (node, graph) =>
        {
            if (!renamed.TryGetValue(Name(node), out var name))
            {
                return false;
            }

            graph.WriteBytes(1, WithName(node, name));
            return true;
        });

    /// <summary>
    /// The model with each graph node (its <c>NodeProto</c> bytes) given to <paramref name="rewrite"/>, which writes what
    /// replaces it into the graph and returns true, or returns false to keep it; every other field as it is.
    /// </summary>
    private static byte[] RewriteNodes(byte[] model, NodeRewrite rewrite)
    {
        var result = new ProtoWriter();
        var reader = new ProtoReader(model);
        while (!reader.End)
        {
            var start = reader.Position;
            var (field, wire) = reader.ReadTag();
            if (field != 7 || wire != 2)
            {
                reader.Skip(wire);
                result.WriteRaw(reader.Since(start));
                continue;
            }

            var graph = new ProtoWriter();
            var graphReader = new ProtoReader(reader.ReadBytes());
            while (!graphReader.End)
            {
                var fieldStart = graphReader.Position;
                var (graphField, graphWire) = graphReader.ReadTag();
                if (graphField != 1 || graphWire != 2)
                {
                    graphReader.Skip(graphWire);
                }
                else if (rewrite(graphReader.ReadBytes(), graph))
                {
                    continue;
                }

                graph.WriteRaw(graphReader.Since(fieldStart));
            }

            result.WriteMessage(7, graph);
        }

        return result.ToArray();
    }

    private static string Name(ReadOnlySpan<byte> node)
    {
        var reader = new ProtoReader(node);
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 3 && wire == 2)
            {
                return reader.ReadString();
            }

            reader.Skip(wire);
        }

        return string.Empty;
    }

    private static byte[] WithName(ReadOnlySpan<byte> node, string name)
    {
        var result = new ProtoWriter();
        var reader = new ProtoReader(node);
        while (!reader.End)
        {
            var start = reader.Position;
            var (field, wire) = reader.ReadTag();
            reader.Skip(wire);
            if (field == 3 && wire == 2)
            {
                result.WriteBytes(3, Encoding.UTF8.GetBytes(name));
            }
            else
            {
                result.WriteRaw(reader.Since(start));
            }
        }

        return result.ToArray();
    }
}
