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

    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Creates an empty graph with the given name.</summary>
    public OnnxGraph(string name) => Name = name;

    /// <summary>The graph's name.</summary>
    public string Name { get; }

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

    /// <summary>Encodes the whole model.</summary>
    public byte[] ToModelBytes(string producerName)
    {
        var graph = new ProtoWriter();
        foreach (var node in _nodes)
        {
            graph.WriteMessage(1, node.ToProto());
        }

        graph.WriteString(2, Name);
        foreach (var initializer in _initializers)
        {
            graph.WriteMessage(5, initializer.ToProto());
        }

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
