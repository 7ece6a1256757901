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
    private readonly string _root = Directory.CreateTempSubdirectory("ember-graft-").FullName;

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

    private static List<string> NodeNames(byte[] model)
    {
        var names = new List<string>();
        ForEachNode(model, node => names.Add(Name(node)));
        return names;
    }

    private static byte[] RenameNodes(byte[] model, Dictionary<string, string> renamed)
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
                if (graphField == 1 && graphWire == 2)
                {
                    var node = graphReader.ReadBytes();
                    graph.WriteBytes(1, renamed.TryGetValue(Name(node), out var name) ? WithName(node, name) : node);
                }
                else
                {
                    graphReader.Skip(graphWire);
                    graph.WriteRaw(graphReader.Since(fieldStart));
                }
            }

            result.WriteMessage(7, graph);
        }

        return result.ToArray();
    }

    private static void ForEachNode(byte[] model, Action<byte[]> visit)
    {
        var reader = new ProtoReader(model);
        while (!reader.End)
        {
            var (field, wire) = reader.ReadTag();
            if (field != 7 || wire != 2)
            {
                reader.Skip(wire);
                continue;
            }

            var graph = new ProtoReader(reader.ReadBytes());
            while (!graph.End)
            {
                var (graphField, graphWire) = graph.ReadTag();
                if (graphField == 1 && graphWire == 2)
                {
                    visit(graph.ReadBytes().ToArray());
                }
                else
                {
                    graph.Skip(graphWire);
                }
            }
        }
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
