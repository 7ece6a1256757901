namespace Ember.Models.Onnx;

/// <summary>
/// Builds an ONNX model (IR 8; opset 17 plus <c>com.microsoft</c> 1) node by node and encodes it as
/// <c>ModelProto</c> bytes. The same calls always produce the same bytes.
/// </summary>
/// <remarks>Not thread-safe; one builder per model.</remarks>
internal sealed class OnnxGraph
{
    /// <summary>The domain of ONNX Runtime's contrib operators.</summary>
    public const string MicrosoftDomain = "com.microsoft";

    private const long IrVersion = 8;
    private const long OnnxOpset = 17;
    private const long MicrosoftOpset = 1;

    /// <summary>Initializers of at least this many bytes go to the external data file (as <c>onnx</c>'s own default, 1 KiB).</summary>
    public const long ExternalDataThreshold = 1024;

    /// <summary>The alignment of each tensor in the external data file: 64 KiB, Windows' allocation granularity and a multiple of every page size.</summary>
    public const long ExternalDataAlignment = 1 << 16;

    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Creates an empty graph with the given name.</summary>
    public OnnxGraph(string name) => Name = name;

    /// <summary>The graph's name.</summary>
    public string Name { get; }

    /// <summary>The nodes, in the order they were added.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The initializers, in the order they were added.</summary>
    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    /// <summary>The graph inputs, in the order they were declared.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs => _inputs;

    /// <summary>Declares a graph input.</summary>
    public string Input(string name, OnnxDataType type, params object[] dims)
    {
        _inputs.Add(new OnnxValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output (the value must be produced by a node).</summary>
    public void Output(string name, OnnxDataType type, params object[] dims) => _outputs.Add(new OnnxValueInfo(name, type, dims));

    /// <summary>Adds an initializer and returns its name.</summary>
    public string Initializer(OnnxTensor tensor)
    {
        Claim(tensor.Name);
        _initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output named <c>{name}/output_0</c> and returns that output's name.</summary>
    public string Node(string opType, string name, string[] inputs, params OnnxAttribute[] attributes) =>
        NodeWithOutputs(opType, name, inputs, [$"{name}/output_0"], string.Empty, attributes)[0];

    /// <summary>Adds a <c>com.microsoft</c> node with one output and returns that output's name.</summary>
    public string MicrosoftNode(string opType, string name, string[] inputs, params OnnxAttribute[] attributes) =>
        NodeWithOutputs(opType, name, inputs, [$"{name}/output_0"], MicrosoftDomain, attributes)[0];

    /// <summary>Adds a node with explicitly named outputs and returns them.</summary>
    public IReadOnlyList<string> NodeWithOutputs(
        string opType, string name, string[] inputs, string[] outputs, string domain, params OnnxAttribute[] attributes)
    {
        Claim(name);
        _nodes.Add(new OnnxNode(opType, name, inputs, outputs, domain, attributes));
        return outputs;
    }

    /// <summary>
    /// Writes the model to <paramref name="modelPath"/> and every initializer of at least
    /// <see cref="ExternalDataThreshold"/> bytes to <c>{modelPath}.data</c> beside it, as ONNX external data (the form
    /// the model builder writes): each at an offset aligned to <see cref="ExternalDataAlignment"/>, so ONNX Runtime can
    /// map the file instead of copying it. Deferred tensors are made one at a time, as they are written.
    /// </summary>
    /// <returns>The bytes written to the data file.</returns>
    public long Write(string modelPath, string producerName, CancellationToken cancellationToken)
    {
        var dataPath = modelPath + ".data";
        var location = Path.GetFileName(dataPath);
        var graph = new ProtoWriter();
        foreach (var node in _nodes)
        {
            graph.WriteMessage(1, node.ToProto());
        }

        graph.WriteString(2, Name);
        long dataLength;
        using (var data = new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            foreach (var initializer in _initializers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (initializer.ByteLength < ExternalDataThreshold)
                {
                    graph.WriteMessage(5, initializer.ToProto());
                    continue;
                }

                var offset = (data.Position + ExternalDataAlignment - 1) / ExternalDataAlignment * ExternalDataAlignment;
                data.Write(new byte[offset - data.Position]);
                initializer.WriteData(data);
                graph.WriteMessage(5, initializer.ToExternalProto(location, offset));
            }

            dataLength = data.Length;
        }

        File.WriteAllBytes(modelPath, ModelProto(graph, producerName));
        return dataLength;
    }

    private byte[] ModelProto(ProtoWriter graph, string producerName)
    {
        foreach (var input in _inputs)
        {
            graph.WriteMessage(11, input.ToProto());
        }

        foreach (var output in _outputs)
        {
            graph.WriteMessage(12, output.ToProto());
        }

        var model = new ProtoWriter();
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, producerName);
        model.WriteMessage(7, graph);
        model.WriteMessage(8, OpsetImport(string.Empty, OnnxOpset));
        model.WriteMessage(8, OpsetImport(MicrosoftDomain, MicrosoftOpset));
        return model.ToArray();
    }

    private static ProtoWriter OpsetImport(string domain, long version)
    {
        var opset = new ProtoWriter();
        opset.WriteString(1, domain);
        opset.WriteInt64(2, version);
        return opset;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"The graph already has a node or initializer named '{name}'.");
        }
    }
}
